"""Per-partition metrics for a stream reader: rows, time and throughput of each `read()`.

The metrics are logged on the executor that ran the partition (they show up in the executor
logs); send them to your metrics system instead of the log for production monitoring. Nothing
is stored on `self`: `read()` runs on a pickled copy of the reader, so state written there never
reaches the driver.
"""
import logging
import time

from time_range_reader import EventStreamReader

log = logging.getLogger(__name__)


class MonitoredStreamReader(EventStreamReader):
    def read(self, partition):
        started = time.monotonic()
        count = 0
        for row in super().read(partition):
            count += 1
            yield row
        duration = time.monotonic() - started
        throughput = count / duration if duration > 0 else 0
        log.info(
            "partition [%s - %s]: %d rows in %.1fs (%.0f rows/s)",
            partition.start_time,
            partition.end_time,
            count,
            duration,
            throughput,
        )
