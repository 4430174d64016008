"""Pitfall PDS021: read() returns a list, and yields rows that do not match the schema.

Spark requires read() to return an iterator (DATA_SOURCE_INVALID_RETURN_TYPE for a list), and
each tuple to have as many values as the schema has fields (DATA_SOURCE_RETURN_SCHEMA_MISMATCH).
`yield from` the rows, and yield one value per field.
"""
import requests
from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition


class MeterStreamReader(DataSourceStreamReader):
    def __init__(self, options):
        self.url = options["url"]

    def initialOffset(self):
        return {"reading": 0}

    def latestOffset(self):
        response = requests.get(f"{self.url}/latest", timeout=30)
        response.raise_for_status()
        return {"reading": response.json()["id"]}

    def partitions(self, start, end):
        return [InputPartition((start["reading"], end["reading"]))]

    def read(self, partition):
        after, upto = partition.value
        response = requests.get(f"{self.url}/readings", params={"after": after, "upto": upto}, timeout=30)
        response.raise_for_status()
        return [(r["meter"], r["value"]) for r in response.json()["readings"]]


class MeterSource(DataSource):
    @classmethod
    def name(cls):
        return "meters"

    def schema(self):
        return "meter STRING, value DOUBLE, read_at TIMESTAMP"

    def streamReader(self, schema):
        return MeterStreamReader(self.options)
