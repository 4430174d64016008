"""A streaming source that reads events from a JSON-lines file, one event per line.

Offsets count the lines consumed: ``{"line": n}`` means lines 1 to n were read. A micro-batch
covers the lines after ``start`` up to and including ``end``, and ``partitions`` splits that range
into pieces that meet without overlapping: ``after < line <= upto``. ``latestOffset`` depends only
on the file (its number of lines, at most ``max_rows_per_batch`` past ``start`` under Spark 4.2's
read limit), so two calls give the same offset until the file grows.

Options:
    path                the JSON-lines file (default: data/events.jsonl next to this file)
    rows_per_partition  lines per partition (default 5)
    max_rows_per_batch  lines per micro-batch, Spark 4.2 and later (default 10)

    spark.dataSource.register(JsonlSource)
    spark.readStream.format("jsonl_events").option("path", "/data/events.jsonl").load()

Try it without Spark: ``pds-lint dry-run examples/jsonl_source.py``.
"""
import json
import os
from datetime import datetime

from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition

try:  # Spark 4.2: admission control
    from pyspark.sql.streaming.datasource import ReadMaxRows
except ImportError:  # Spark 4.0 and 4.1 read everything available
    ReadMaxRows = None

DEFAULT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "events.jsonl")
SCHEMA = "id BIGINT, ts TIMESTAMP, user STRING, action STRING, amount DOUBLE"


class LineRange(InputPartition):
    """The lines after ``after``, up to and including ``upto`` (line numbers start at 1)."""

    def __init__(self, after, upto):
        self.after = after
        self.upto = upto


class JsonlStreamReader(DataSourceStreamReader):
    def __init__(self, options):
        self.path = options.get("path") or DEFAULT_PATH
        self.rows_per_partition = int(options.get("rows_per_partition") or 5)
        self.max_rows_per_batch = int(options.get("max_rows_per_batch") or 10)

    def _line_count(self):
        with open(self.path, encoding="utf-8") as f:
            return sum(1 for line in f if line.strip())

    def initialOffset(self):
        return {"line": 0}

    def getDefaultReadLimit(self):
        return ReadMaxRows(self.max_rows_per_batch) if ReadMaxRows is not None else None

    def latestOffset(self, start=None, limit=None):
        newest = self._line_count()
        if start is not None and ReadMaxRows is not None and isinstance(limit, ReadMaxRows):
            newest = max(start["line"], min(newest, start["line"] + limit.max_rows))
        return {"line": newest}

    def partitions(self, start, end):
        ranges = []
        after = start["line"]
        while after < end["line"]:
            upto = min(after + self.rows_per_partition, end["line"])
            ranges.append(LineRange(after, upto))
            after = upto
        return ranges

    def read(self, partition):
        number = 0
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                number += 1
                if number > partition.upto:
                    break
                if partition.after < number <= partition.upto:
                    event = json.loads(line)
                    yield (
                        event["id"],
                        datetime.fromisoformat(event["ts"]),
                        event["user"],
                        event["action"],
                        float(event["amount"]),
                    )


class JsonlSource(DataSource):
    @classmethod
    def name(cls):
        return "jsonl_events"

    def schema(self):
        return SCHEMA

    def streamReader(self, schema):
        return JsonlStreamReader(self.options)
