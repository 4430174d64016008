"""Orders: offsets and partitions come from the base class in another module."""
from ..common.base import BaseApiReader


# ok: PDS006
class OrdersReader(BaseApiReader):
    def read(self, partition):
        for page in range(partition.start, partition.end):
            for order in self._fetch(page):
                yield (order["id"], order["total"])


# ok: PDS006
class WindowedOrdersReader(BaseApiReader):
    def read(self, partition):
        # ruleid: PDS008
        first, last = self.window
        for page in range(first, last):
            for order in self._fetch(page):
                yield (order["id"], order["total"])
