"""Pitfall PDS019: a start_time option parsed without a zone, next to aware offsets (the seed).

A user who passes start_time=2024-01-01T00:00:00 gets a naive start from fromisoformat, while
"latest" and latestOffset are aware (timezone.utc). partitions() parses both ends back from the
offset text and compares them: TypeError, can't compare offset-naive and offset-aware datetimes.
Give a naive option a zone (`if dt.tzinfo is None: dt = dt.replace(tzinfo=timezone.utc)`).
"""
import json
from datetime import datetime, timedelta, timezone

from pyspark.sql.datasource import DataSourceStreamReader, InputPartition


class EventStreamReader(DataSourceStreamReader):
    def __init__(self, options, schema):
        start = options.get("start_time", "latest")
        if start == "latest":
            self._start = datetime.now(timezone.utc)
        else:
            self._start = datetime.fromisoformat(start.replace("Z", "+00:00"))

    def initialOffset(self):
        return json.dumps({"ts": (self._start - timedelta(microseconds=1)).isoformat()})

    def latestOffset(self):
        lagged = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=1)
        return json.dumps({"ts": lagged.isoformat()})

    def partitions(self, start, end):
        lo = datetime.fromisoformat(json.loads(start)["ts"]) + timedelta(microseconds=1)
        hi = datetime.fromisoformat(json.loads(end)["ts"])
        return [InputPartition((lo.isoformat(), hi.isoformat()))] if lo < hi else []

    def read(self, partition):
        yield (partition.value[0],)
