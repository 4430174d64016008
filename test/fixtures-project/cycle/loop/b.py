"""b imports a (which imports b)."""
from .a import ABase


# ok: PDS006
class BMiddle(ABase):
    def partitions(self, start, end):
        return []


# ruleid: PDS006
class BRogue(ABase):
    def partitions(self, start, end):
        return []
