"""Pitfall PDS002: the seed's reader returns datetime.now() with microseconds from latestOffset.

Spark asks for the latest offset on every trigger and compares offsets as JSON strings, so an
offset that changes with every call starts a new (mostly empty) batch each time. Truncate the
clock read to the second (the quick fix adds `.replace(microsecond=0)`).
"""
import json
from datetime import datetime, timedelta, timezone

from pyspark.sql.datasource import DataSourceStreamReader, InputPartition


class EventStreamReader(DataSourceStreamReader):
    def __init__(self, options, schema):
        self.url = options.get("url")

    def initialOffset(self):
        return json.dumps({"ts": "2024-01-01T00:00:00+00:00"})

    def latestOffset(self):
        return json.dumps({"ts": datetime.now(timezone.utc).isoformat()})

    def partitions(self, start, end):
        start_ts = datetime.fromisoformat(json.loads(start)["ts"]) + timedelta(microseconds=1)
        end_ts = datetime.fromisoformat(json.loads(end)["ts"])
        return [InputPartition((start_ts.isoformat(), end_ts.isoformat()))]

    def read(self, partition):
        import requests

        start, end = partition.value
        response = requests.get(self.url, params={"start": start, "end": end}, timeout=30)
        response.raise_for_status()
        for event in response.json()["events"]:
            yield (event["id"], event["ts"], event["payload"])
