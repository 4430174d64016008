"""An abstract base whose only subclass imports it under another name, through another module."""
from pyspark.sql.datasource import DataSourceStreamReader


# ok: PDS006
class PollingBase(DataSourceStreamReader):
    def initialOffset(self):
        return {"tick": 0}

    def latestOffset(self):
        return {"tick": 1}
