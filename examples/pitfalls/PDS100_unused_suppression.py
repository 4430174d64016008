"""Pitfall PDS100: `# noqa` comments left behind after the code they silenced was fixed.

latestOffset once returned the raw wall clock (PDS002); it now truncates to the second, and the
suppression comment suppresses nothing. It would silence the next real finding on that line.
`PDS02` in initialOffset is a typo that never suppressed anything. Remove both (the quick fix
removes the code and keeps other tools' codes such as E501).
"""
from datetime import datetime, timezone

from pyspark.sql.datasource import DataSourceStreamReader


class ClockReader(DataSourceStreamReader):
    def initialOffset(self):
        return {"ts": datetime(2024, 1, 1, tzinfo=timezone.utc).isoformat()}  # noqa: PDS02

    def latestOffset(self):
        return {"ts": datetime.now(timezone.utc).replace(microsecond=0).isoformat()}  # noqa: E501, PDS002

    def partitions(self, start, end):
        return []

    def read(self, partition):
        return iter([])
