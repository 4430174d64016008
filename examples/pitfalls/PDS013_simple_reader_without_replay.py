"""Pitfall PDS013: a simple stream reader with no readBetweenOffsets (the weather.py shape).

Spark serves a simple reader's batches from the rows read() cached on the driver. A batch
replayed after a restart is not in that cache: the executor calls readBetweenOffsets(start, end),
the base class raises NOT_IMPLEMENTED and the query fails. Implement it so that it returns
exactly the rows of (start, end] (here: the readings after start, up to end).
"""
import requests
from pyspark.sql.datasource import DataSource, SimpleDataSourceStreamReader


class ReadingsStreamReader(SimpleDataSourceStreamReader):
    def __init__(self, options):
        self.url = options["url"]

    def initialOffset(self):
        return {"id": 0}

    def read(self, start):
        rows = self._fetch(after=start["id"])
        return iter(rows), ({"id": rows[-1][0]} if rows else start)

    def _fetch(self, after, upto=None):
        params = {"after": after} if upto is None else {"after": after, "upto": upto}
        response = requests.get(f"{self.url}/readings", params=params, timeout=30)
        response.raise_for_status()
        return [(r["id"], r["meter"], r["value"]) for r in response.json()["readings"]]


class ReadingsDataSource(DataSource):
    @classmethod
    def name(cls):
        return "readings"

    def schema(self):
        return "id BIGINT, meter STRING, value DOUBLE"

    def simpleStreamReader(self, schema):
        return ReadingsStreamReader(self.options)
