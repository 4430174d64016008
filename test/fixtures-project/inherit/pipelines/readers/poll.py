"""A reader deriving from `PollingBase` under the name its alias module gives it."""
from ..common.aliases import Poller


# ok: PDS006
class PollReader(Poller):
    def partitions(self, start, end):
        return []

    def read(self, partition):
        yield (partition,)
