"""Pitfall PDS005: initialOffset returns a dict, latestOffset a JSON string with another key.

Spark hands `partitions` and `commit` the `json.loads` of what the producers returned: the first
batch's `start` is the dict `{"offset": 0}`, its `end` the string '{"position": 42}', and later
batches get strings only. `json.loads(start)` then raises TypeError on the first batch, and
`["offset"]` raises KeyError on every later one. Return the same shape from both producers (one
helper building the offset) and read it the way it is made.
"""
import json

from pyspark.sql.datasource import DataSourceStreamReader, InputPartition


class QueueReader(DataSourceStreamReader):
    def __init__(self, options, schema):
        self.url = options["url"]

    def initialOffset(self):
        return {"offset": 0}

    def latestOffset(self):
        import requests

        head = requests.get(f"{self.url}/head", timeout=30).json()
        return json.dumps({"position": int(head["position"])})

    def partitions(self, start, end):
        first = json.loads(start)["offset"] + 1
        last = json.loads(end)["offset"]
        return [InputPartition((first, last))]

    def read(self, partition):
        import requests

        first, last = partition.value
        response = requests.get(f"{self.url}/messages", params={"after": first - 1, "upto": last}, timeout=60)
        response.raise_for_status()
        for message in response.json():
            yield (message["position"], message["body"])

    def commit(self, end):
        pass
