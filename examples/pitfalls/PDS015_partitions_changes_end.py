"""Pitfall PDS015: partitions() caps the batch's end to limit its size.

Spark has already fixed this batch's end offset when it calls partitions(start, end): it
commits that `end` and starts the next batch from it. Capping `end` here only shrinks what this
batch reads, so the events between the cap and Spark's end are skipped forever. Cap the offset
in latestOffset instead (or, on Spark 4.2, honour the ReadMaxRows limit it receives).
"""
import json

import requests
from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition


class SeqRange(InputPartition):
    def __init__(self, first, last):
        self.first = first
        self.last = last


class ChangeFeedReader(DataSourceStreamReader):
    def __init__(self, options):
        self.url = options.get("url")
        self.max_per_batch = int(options.get("max_per_batch", "10000"))

    def initialOffset(self):
        return {"seq": 0}

    def latestOffset(self):
        return {"seq": requests.get(f"{self.url}/head", timeout=10).json()["seq"]}

    def partitions(self, start, end):
        end = {"seq": min(end["seq"], start["seq"] + self.max_per_batch)}
        return [SeqRange(start["seq"] + 1, end["seq"])] if end["seq"] > start["seq"] else []

    def read(self, partition):
        resp = requests.get(f"{self.url}/changes", params={"from": partition.first, "to": partition.last}, timeout=60)
        resp.raise_for_status()
        for change in resp.json()["changes"]:
            yield (change["seq"], json.dumps(change["data"]))


class ChangeFeedSource(DataSource):
    @classmethod
    def name(cls):
        return "changefeed"

    def schema(self):
        return "seq long, data string"

    def streamReader(self, schema):
        return ChangeFeedReader(self.options)
