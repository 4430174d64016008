"""A module that does not parse."""
from pyspark.sql.datasource import DataSourceStreamReader


class Broken(DataSourceStreamReader:
    def initialOffset(self)
        return {"n": 0
