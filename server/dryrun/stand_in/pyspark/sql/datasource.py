"""``pyspark.sql.datasource`` of the stand-in: the Python data source base classes (Spark 4.x).

The defaults raise ``PySparkNotImplementedError`` as Spark's do, so a missing method fails the
same way, and ``DataSource.streamReader`` falling back to ``simpleStreamReader`` works.
"""
from abc import ABC, abstractmethod
from collections import UserDict

from pyspark.errors import PySparkNotImplementedError

__all__ = [
    "DataSource",
    "DataSourceReader",
    "DataSourceStreamReader",
    "SimpleDataSourceStreamReader",
    "DataSourceWriter",
    "DataSourceArrowWriter",
    "DataSourceStreamWriter",
    "DataSourceRegistration",
    "InputPartition",
    "WriterCommitMessage",
    "CaseInsensitiveDict",
]


def _not_implemented(feature):
    return PySparkNotImplementedError(errorClass="NOT_IMPLEMENTED", messageParameters={"feature": feature})


class DataSource(ABC):
    def __init__(self, options):
        self.options = options

    @classmethod
    def name(cls):
        return cls.__name__

    def schema(self):
        raise _not_implemented("schema")

    def reader(self, schema):
        raise _not_implemented("reader")

    def writer(self, schema, overwrite):
        raise _not_implemented("writer")

    def streamWriter(self, schema, overwrite):
        raise _not_implemented("streamWriter")

    def streamReader(self, schema):
        raise _not_implemented("streamReader")

    def simpleStreamReader(self, schema):
        raise _not_implemented("simpleStreamReader")


class InputPartition:
    def __init__(self, value):
        self.value = value

    def __repr__(self):
        attributes = ", ".join("%s=%r" % (k, v) for k, v in self.__dict__.items())
        return "%s(%s)" % (self.__class__.__name__, attributes)


class DataSourceReader(ABC):
    def pushFilters(self, filters):
        return filters

    def partitions(self):
        raise _not_implemented("partitions")

    @abstractmethod
    def read(self, partition):
        raise _not_implemented("read")


class DataSourceStreamReader(ABC):
    def initialOffset(self):
        raise _not_implemented("initialOffset")

    def latestOffset(self):
        raise _not_implemented("latestOffset")

    def partitions(self, start, end):
        raise _not_implemented("partitions")

    @abstractmethod
    def read(self, partition):
        raise _not_implemented("read")

    def commit(self, end):
        ...

    def stop(self):
        ...


class SimpleDataSourceStreamReader(ABC):
    def initialOffset(self):
        raise _not_implemented("initialOffset")

    def read(self, start):
        raise _not_implemented("read")

    def readBetweenOffsets(self, start, end):
        raise _not_implemented("readBetweenOffsets")

    def commit(self, end):
        ...


class WriterCommitMessage:
    pass


class DataSourceWriter(ABC):
    @abstractmethod
    def write(self, iterator):
        ...

    def commit(self, messages):
        ...

    def abort(self, messages):
        ...


class DataSourceArrowWriter(DataSourceWriter):
    @abstractmethod
    def write(self, iterator):
        ...


class DataSourceStreamWriter(ABC):
    @abstractmethod
    def write(self, iterator):
        ...

    def commit(self, messages, batchId):
        ...

    def abort(self, messages, batchId):
        ...


class DataSourceRegistration:
    def register(self, dataSource):
        dataSource.name()


class CaseInsensitiveDict(UserDict):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

    def __setitem__(self, key, value):
        super().__setitem__(key.lower(), value)

    def __getitem__(self, key):
        return super().__getitem__(key.lower())

    def __delitem__(self, key):
        super().__delitem__(key.lower())

    def __contains__(self, key):
        return super().__contains__(key.lower() if isinstance(key, str) else key)

    def copy(self):
        return CaseInsensitiveDict(self.data)


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(
        "pds-lint's stand-in for pyspark has no `pyspark.sql.datasource.%s` (install pyspark to dry-run a source that uses it)" % name
    )
