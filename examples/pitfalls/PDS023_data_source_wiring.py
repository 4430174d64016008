"""Pitfall PDS023: a DataSource Spark cannot build, and a stream reader that never falls back.

- name() must be a @classmethod: Spark calls it on the class and checks inspect.ismethod.
- Spark constructs the source as WeatherSource(options=options): __init__ must take `options`.
- streamReader raises the builtin NotImplementedError: Spark falls back to simpleStreamReader
  only on PySparkNotImplementedError, so the query fails. Remove streamReader instead.
"""
from pyspark.sql.datasource import DataSource, SimpleDataSourceStreamReader


class WeatherReader(SimpleDataSourceStreamReader):
    def __init__(self, options):
        self.city = options.get("city", "Oslo")

    def initialOffset(self):
        return {"hour": 0}

    def read(self, start):
        rows = [(self.city, start["hour"] + 1, 4.5)]
        return iter(rows), {"hour": start["hour"] + 1}

    def readBetweenOffsets(self, start, end):
        return iter([(self.city, hour, 4.5) for hour in range(start["hour"] + 1, end["hour"] + 1)])


class WeatherSource(DataSource):
    def __init__(self, opts):
        super().__init__(opts)

    def name(self):
        return "weather"

    def schema(self):
        return "city STRING, hour INT, temperature DOUBLE"

    def streamReader(self, schema):
        raise NotImplementedError("use the simple reader")

    def simpleStreamReader(self, schema):
        return WeatherReader(self.options)
