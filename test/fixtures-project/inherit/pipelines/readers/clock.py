"""Readers whose offsets are made by helpers of another module."""
from ..common import offsets
from ..common.base import BaseApiReader, PagePartition
from ..common.offsets import make_ts_offset


# ok: PDS006
class ClockReader(BaseApiReader):
    def initialOffset(self):
        return {"ts": "1970-01-01T00:00:00+00:00"}

    def latestOffset(self):
        # ruleid: PDS002
        return offsets.make_offset()

    def partitions(self, start, end):
        return [PagePartition(start["ts"], end["ts"])]

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

    def partitions(self, start, end):
        return [PagePartition(start["ts"], end["ts"])]

    def read(self, partition):
        yield (partition.start, partition.end)
