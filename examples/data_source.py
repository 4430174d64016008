"""The `DataSource` that ties the reader and the writer together, and its registration.

Spark builds it with `EventsDataSource(options)` and calls `streamReader(schema=...)` and
`streamWriter(schema=..., overwrite=...)` by keyword, so the parameters keep Spark's names;
`name()` must be a classmethod (PDS023).

    from data_source import register
    register(spark)
    events = spark.readStream.format("events_api").option("url", "https://example.com/events").load()
    query = events.writeStream.format("events_api").option("url", "https://example.com/ingest") \
        .option("checkpointLocation", "/tmp/checkpoints/events").start()
"""
from pyspark.sql.datasource import DataSource

from idempotent_writer import IdempotentStreamWriter
from monitored_reader import MonitoredStreamReader


class EventsDataSource(DataSource):
    @classmethod
    def name(cls):
        return "events_api"

    def schema(self):
        return "id STRING, ts TIMESTAMP, kind STRING, payload STRING"

    def streamReader(self, schema):
        return MonitoredStreamReader(self.options, schema)

    def streamWriter(self, schema, overwrite):
        return IdempotentStreamWriter(self.options, schema)


def register(spark):
    spark.dataSource.register(EventsDataSource)
