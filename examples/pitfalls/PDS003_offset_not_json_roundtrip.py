"""Pitfall PDS003: a reader that keeps datetimes and tuples in its offsets.

Spark serializes offsets with json.dumps: the datetime raises TypeError and the query fails.
The (partition, sequence) tuple survives, but comes back from the checkpoint as a list, so the
`==` comparison in partitions() never matches after a restart. Store ISO strings and lists.
"""
from datetime import datetime, timezone

from pyspark.sql.datasource import DataSourceStreamReader, InputPartition


class ChangeFeedReader(DataSourceStreamReader):
    def __init__(self, options, schema):
        self.url = options.get("url")
        self.since = datetime.fromisoformat(options.get("since", "2024-01-01T00:00:00+00:00"))

    def initialOffset(self):
        return {"ts": self.since, "cursor": (0, 0)}

    def latestOffset(self):
        head = self._head()
        return {"ts": datetime.fromisoformat(head["ts"]), "cursor": (head["partition"], head["seq"])}

    def partitions(self, start, end):
        if start["cursor"] == (0, 0):
            return [InputPartition((None, end["cursor"]))]
        return [InputPartition((start["cursor"], end["cursor"]))]

    def read(self, partition):
        import requests

        after, upto = partition.value
        response = requests.get(self.url, params={"after": after, "upto": upto}, timeout=30)
        response.raise_for_status()
        for change in response.json()["changes"]:
            yield (change["id"], change["ts"], change["op"])

    def _head(self):
        import requests

        response = requests.get(f"{self.url}/head", timeout=30)
        response.raise_for_status()
        return response.json()
