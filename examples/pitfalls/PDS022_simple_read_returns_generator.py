"""Pitfall PDS022: a simple reader's read() returns a generator as its rows.

Spark caches the iterator read() returns and copies it with copy.copy when the batch is planned;
a generator cannot be copied (TypeError: cannot pickle 'generator' object) and the batch fails.
Return an iterator over a list instead: `iter(list(...))` (the quick fix).
"""
import requests
from pyspark.sql.datasource import SimpleDataSourceStreamReader


class OrdersStreamReader(SimpleDataSourceStreamReader):
    def __init__(self, options):
        self.url = options["url"]

    def initialOffset(self):
        return {"page": 0}

    def read(self, start):
        page = start["page"] + 1
        return self._orders(page), {"page": page}

    def readBetweenOffsets(self, start, end):
        return iter([row for page in range(start["page"] + 1, end["page"] + 1) for row in self._orders(page)])

    def _orders(self, page):
        response = requests.get(f"{self.url}/orders", params={"page": page}, timeout=30)
        response.raise_for_status()
        for order in response.json()["orders"]:
            yield (order["id"], order["total"])
