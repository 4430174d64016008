"""Readers next to a module with syntax errors, a binary file and a missing module."""
from .broken import Broken
from .garbage import Garbage
from .good_base import GoodBase
from .missing import Missing


# ok: PDS006
class GoodReader(GoodBase):
    def read(self, partition):
        yield (1,)


# ruleid: PDS006
class HalfReader(GoodBase):
    pass


# Its base has syntax errors: what looks absent may be there.
# ok: PDS006
class FromBroken(Broken):
    pass


# ok: PDS006
class FromGarbage(Garbage):
    pass


# ok: PDS006
class FromMissing(Missing):
    pass
