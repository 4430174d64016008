"""Pitfall PDS016: Spark 4.2's latestOffset(start, limit) reads `limit.maxRows`.

The read limit Spark passes is a Python dataclass, `ReadMaxRows(max_rows=...)`: its field is
snake_case, so `limit.maxRows` raises AttributeError on the driver and the query stops. Check
the limit's type with isinstance(limit, ReadMaxRows) and read `limit.max_rows` (the quick fix
renames the field).
"""
import requests
from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition
from pyspark.sql.streaming.datasource import ReadMaxRows


class OffsetRange(InputPartition):
    def __init__(self, first, last):
        self.first = first
        self.last = last


class LogReader(DataSourceStreamReader):
    def __init__(self, options):
        self.url = options.get("url")

    def initialOffset(self):
        return {"offset": 0}

    def getDefaultReadLimit(self):
        return ReadMaxRows(5000)

    def latestOffset(self, start, limit):
        head = requests.get(f"{self.url}/head", timeout=10).json()["offset"]
        if isinstance(limit, ReadMaxRows):
            head = min(head, start["offset"] + limit.maxRows)
        return {"offset": max(head, start["offset"])}

    def partitions(self, start, end):
        if end["offset"] <= start["offset"]:
            return []
        return [OffsetRange(start["offset"] + 1, end["offset"])]

    def read(self, partition):
        resp = requests.get(f"{self.url}/records", params={"from": partition.first, "to": partition.last}, timeout=60)
        resp.raise_for_status()
        for record in resp.json()["records"]:
            yield (record["offset"], record["line"])


class LogSource(DataSource):
    @classmethod
    def name(cls):
        return "logs"

    def schema(self):
        return "offset long, line string"

    def streamReader(self, schema):
        return LogReader(self.options)
