"""Pitfall PDS017: latestOffset is "now", with no room for events that arrive late.

An event stamped a few seconds before the moment Spark asked, that reaches the source a moment
later, is behind the end of a batch already planned, and every later batch starts after it: it
is never read. Subtract the largest delay you expect (a lag option), or cap the offset with the
newest event time the source reports. (PDS002 is fixed here already: the clock is truncated.)
"""
import json
from datetime import datetime, timedelta, timezone

import requests
from pyspark.sql.datasource import DataSourceStreamReader, InputPartition


class ClickStreamReader(DataSourceStreamReader):
    def __init__(self, options, schema):
        self.url = options["url"]

    def initialOffset(self):
        return json.dumps({"ts": "2024-01-01T00:00:00+00:00"})

    def latestOffset(self):
        now = datetime.now(timezone.utc).replace(microsecond=0)
        return json.dumps({"ts": now.isoformat()})

    def partitions(self, start, end):
        lo = datetime.fromisoformat(json.loads(start)["ts"]) + timedelta(microseconds=1)
        hi = datetime.fromisoformat(json.loads(end)["ts"])
        return [InputPartition((lo.isoformat(), hi.isoformat()))]

    def read(self, partition):
        lo, hi = partition.value
        response = requests.get(f"{self.url}/clicks", params={"from": lo, "to": hi}, timeout=30)
        response.raise_for_status()
        for click in response.json()["clicks"]:
            yield (click["id"], click["ts"], click["page"])
