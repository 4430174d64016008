"""``pyspark.sql`` of the stand-in: ``Row`` and the submodules a data source needs."""
from pyspark.sql.types import Row

__all__ = ["Row"]


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(
        "pds-lint's stand-in for pyspark has no `pyspark.sql.%s` (install pyspark to dry-run a source that uses it)" % name
    )
