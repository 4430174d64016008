"""Broken code: D derives from C, which derives from D."""
from .knot_c import C


# ok: PDS006
class D(C):
    pass
