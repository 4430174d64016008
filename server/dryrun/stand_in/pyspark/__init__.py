"""pds-lint's stand-in for pyspark, used by the dry run only when the real pyspark is not installed.

It provides what a Python streaming data source imports: ``pyspark.sql.datasource`` (the base
classes, ``InputPartition``, ``WriterCommitMessage``), ``pyspark.sql.types`` (``StructType`` and
the data types, ``Row``), ``pyspark.sql.streaming.datasource`` (the Spark 4.2 read limits),
``pyspark.errors`` and ``pyspark.TaskContext``. Anything else raises an ImportError or an
AttributeError that names what is missing.
"""
from pyspark.taskcontext import TaskContext

__version__ = "0+pds-lint-stand-in"
PDS_LINT_STAND_IN = True

__all__ = ["TaskContext"]


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(
        "pds-lint's stand-in for pyspark has no `pyspark.%s` (install pyspark to dry-run a source that uses it)" % name
    )
