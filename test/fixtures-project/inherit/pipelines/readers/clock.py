"""Readers whose offsets are made by helpers of another module."""
from ..common import offsets
from ..common.base import BaseApiReader
from ..common.offsets import make_ts_offset


# ok: PDS006
class ClockReader(BaseApiReader):
    def latestOffset(self):
        # ruleid: PDS002
        return offsets.make_offset()

    def read(self, partition):
        yield (partition.start, partition.end)


# ok: PDS006
class StampReader(BaseApiReader):
    def initialOffset(self):
        # ruleid: PDS003
        return make_ts_offset()

    def latestOffset(self):
        # ok: PDS002
        return offsets.make_rounded_offset()

    def read(self, partition):
        yield (partition.start, partition.end)
