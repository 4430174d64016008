"""``pyspark.sql.streaming`` of the stand-in: only the data source read limits (Spark 4.2)."""


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(
        "pds-lint's stand-in for pyspark has no `pyspark.sql.streaming.%s` (install pyspark to dry-run a source that uses it)" % name
    )
