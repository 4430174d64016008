"""A batch data source reading events from a REST API over a time range.

    spark.read.format("events").option("url", "https://api.example.com/events")
        .option("start", "2024-06-01T00:00:00Z").option("end", "2024-06-08T00:00:00Z").load()

The reader splits [start, end) into one partition per day; each partition asks the API for
the events with `from <= ts < to` (the API's `to` is exclusive), so the days do not overlap.
With the cursor on `EventsReader`, "Convert to streaming reader (time-range offsets)" adds a
streaming reader that reuses `read()` for micro-batches.
"""
from datetime import datetime, timedelta, timezone

from pyspark.sql.datasource import DataSource, DataSourceReader, InputPartition


def parse_time(text):
    """An ISO-8601 time as an aware UTC datetime (a time without an offset is taken as UTC)."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


class DayPartition(InputPartition):
    """One day of events: `start` included, `end` excluded."""

    def __init__(self, start, end):
        self.start = start
        self.end = end


class EventsReader(DataSourceReader):
    def __init__(self, options, schema):
        self.url = options["url"]
        self.start = parse_time(options["start"])
        self.end = parse_time(options["end"]) if "end" in options else datetime.now(timezone.utc)

    def partitions(self):
        days = []
        current = self.start
        while current < self.end:
            next_day = min(current + timedelta(days=1), self.end)
            days.append(DayPartition(current, next_day))
            current = next_day
        return days

    def read(self, partition):
        # Imported here: read() runs on the executors.
        import requests

        response = requests.get(
            self.url,
            params={"from": partition.start.isoformat(), "to_exclusive": partition.end.isoformat()},
            timeout=30,
        )
        response.raise_for_status()
        for event in response.json()["events"]:
            yield (event["id"], event["type"], event["ts"])


class EventsDataSource(DataSource):
    @classmethod
    def name(cls):
        return "events"

    def schema(self):
        return "id STRING, type STRING, ts TIMESTAMP"

    def reader(self, schema):
        return EventsReader(self.options, schema)
