"""Broken code: C derives from D, which derives from C (Python would refuse to import it)."""
from pyspark.sql.datasource import DataSourceStreamReader

from .knot_d import D


# ok: PDS006
class C(D, DataSourceStreamReader):
    pass
