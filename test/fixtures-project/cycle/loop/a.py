"""a imports b and b imports a: the class hierarchy goes a.ABase → b.BMiddle → a.AReader."""
from pyspark.sql.datasource import DataSourceStreamReader

from .b import BMiddle


# ok: PDS006
class ABase(DataSourceStreamReader):
    def initialOffset(self):
        return {"n": 0}

    def latestOffset(self):
        return {"n": 10}


# ok: PDS006
class AReader(BMiddle):
    def read(self, partition):
        yield (1,)
