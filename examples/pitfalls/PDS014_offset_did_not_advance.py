"""Pitfall PDS014: an inclusive (>=) watermark makes the next offset equal the start.

The reader keeps every ticket updated at or after the start and moves the offset to the newest
one. The tickets at the start come back in every batch, and when they are the only ones the
next offset is the start itself: Spark 4.2 fails with SIMPLE_STREAM_READER_OFFSET_DID_NOT_ADVANCE,
4.0/4.1 write the same rows on every trigger. Select with `>` and return `start` only with no rows.
"""
import requests
from pyspark.sql.datasource import SimpleDataSourceStreamReader


class TicketsStreamReader(SimpleDataSourceStreamReader):
    def __init__(self, options):
        self.url = options["url"]

    def initialOffset(self):
        return {"updated": "2024-01-01T00:00:00+00:00"}

    def read(self, start):
        tickets = [t for t in self._all() if t["updated"] >= start["updated"]]
        if not tickets:
            return iter([]), start
        rows = [(t["id"], t["status"], t["updated"]) for t in tickets]
        return iter(rows), {"updated": max(t["updated"] for t in tickets)}

    def readBetweenOffsets(self, start, end):
        return iter(
            (t["id"], t["status"], t["updated"])
            for t in self._all()
            if start["updated"] < t["updated"] <= end["updated"]
        )

    def _all(self):
        response = requests.get(f"{self.url}/tickets", timeout=30)
        response.raise_for_status()
        return response.json()["tickets"]
