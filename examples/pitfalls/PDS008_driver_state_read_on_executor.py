"""Pitfall PDS008: a batch window kept on `self` by partitions() and read by read().

read() runs on executors, on a copy of the reader pickled when the query started, so
`self.window` is missing there (AttributeError). Pass the window in the InputPartition:

    def partitions(self, start, end):
        return [InputPartition((start["seq"], end["seq"]))]

    def read(self, partition):
        lo, hi = partition.value
"""
import requests
from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition


class TicketStreamReader(DataSourceStreamReader):
    def __init__(self, options):
        self.url = options["url"]

    def initialOffset(self):
        return {"seq": 0}

    def latestOffset(self):
        response = requests.get(f"{self.url}/latest", timeout=30)
        response.raise_for_status()
        return {"seq": response.json()["seq"]}

    def partitions(self, start, end):
        self.window = (start["seq"], end["seq"])
        return [InputPartition(0)]

    def read(self, partition):
        lo, hi = self.window
        response = requests.get(f"{self.url}/tickets", params={"after": lo, "upto": hi}, timeout=30)
        response.raise_for_status()
        for ticket in response.json()["tickets"]:
            yield (ticket["seq"], ticket["title"])


class TicketSource(DataSource):
    @classmethod
    def name(cls):
        return "tickets"

    def schema(self):
        return "seq BIGINT, title STRING"

    def streamReader(self, schema):
        return TicketStreamReader(self.options)
