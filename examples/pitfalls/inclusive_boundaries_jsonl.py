"""Pitfall: ranges that share their boundary, read inclusive at both ends (PDS001).

The JSON-lines source of ../jsonl_source.py, written the way the seed reader splits time: each
partition starts where the previous one stopped (``current = next_stop``), the first one starts
at the batch's ``start``, and ``read`` keeps ``first <= line <= last``. The line on every
boundary is read twice: at the end of one partition and at the start of the next, and at the end
of one micro-batch and the start of the next (Spark's ``start`` is the previous batch's ``end``).

``pds-lint dry-run examples/pitfalls/inclusive_boundaries_jsonl.py`` names the duplicated rows.
Fix: read half-open ranges, ``first < line <= last`` (or start the next range one past the end).
"""
import json
import os
from datetime import datetime

from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition

try:  # Spark 4.2: admission control
    from pyspark.sql.streaming.datasource import ReadMaxRows
except ImportError:  # Spark 4.0 and 4.1 read everything available
    ReadMaxRows = None

DEFAULT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "events.jsonl")


class LineRange(InputPartition):
    """Lines ``first`` to ``last``, both included."""

    def __init__(self, first, last):
        self.first = first
        self.last = last


class InclusiveJsonlReader(DataSourceStreamReader):
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
        current = start["line"]
        stop = end["line"]
        while current < stop:
            next_stop = min(current + self.rows_per_partition, stop)
            ranges.append(LineRange(current, next_stop))
            current = next_stop
        return ranges

    def read(self, partition):
        number = 0
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                number += 1
                if partition.first <= number <= partition.last:
                    event = json.loads(line)
                    yield (
                        event["id"],
                        datetime.fromisoformat(event["ts"]),
                        event["user"],
                        event["action"],
                        float(event["amount"]),
                    )


class InclusiveJsonlSource(DataSource):
    @classmethod
    def name(cls):
        return "jsonl_events_inclusive"

    def schema(self):
        return "id BIGINT, ts TIMESTAMP, user STRING, action STRING, amount DOUBLE"

    def streamReader(self, schema):
        return InclusiveJsonlReader(self.options)
