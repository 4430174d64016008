"""Pitfall PDS001: hourly partitions that share their boundaries, read with inclusive bounds.

Each partition starts where the previous one ended (`current = next_time`), and the first one
starts at the batch's `start`, which is where the previous batch ended. The API returns events
with `start <= ts <= end`, so an event exactly on a boundary is read twice: by two partitions of
one batch, or by two batches. Start each range 1 microsecond after the previous end (the quick
fix adds `+ timedelta(microseconds=1)`), and subtract the microsecond once in `initialOffset`,
as the seed does; or ask the API for `ts > start`.
"""
import json
from datetime import datetime, timedelta, timezone

from pyspark.sql.datasource import DataSourceStreamReader, InputPartition


class HourPartition(InputPartition):
    def __init__(self, start_time, end_time):
        self.start_time = start_time
        self.end_time = end_time


class HourlyEventReader(DataSourceStreamReader):
    def __init__(self, options, schema):
        self.url = options["url"]
        self._start = datetime.fromisoformat(options["start_time"])

    def initialOffset(self):
        return json.dumps({"ts": self._start.isoformat()})

    def latestOffset(self):
        now = datetime.now(timezone.utc).replace(microsecond=0)
        return json.dumps({"ts": now.isoformat()})

    def partitions(self, start, end):
        start_ts = datetime.fromisoformat(json.loads(start)["ts"])
        end_ts = datetime.fromisoformat(json.loads(end)["ts"])
        partitions = []
        current = start_ts
        while current < end_ts:
            next_time = min(current + timedelta(hours=1), end_ts)
            partitions.append(HourPartition(current, next_time))
            current = next_time
        return partitions

    def read(self, partition):
        import requests

        response = requests.get(
            f"{self.url}/events",
            params={"start": partition.start_time.isoformat(), "end": partition.end_time.isoformat()},
            timeout=60,
        )
        response.raise_for_status()
        for event in response.json()["events"]:
            yield (event["id"], event["ts"], event["payload"])
