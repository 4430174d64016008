"""Spark 4.2's read limits and the Trigger.AvailableNow mixin, as ``pyspark.sql.streaming.datasource``."""
from abc import ABC, abstractmethod
from dataclasses import dataclass

__all__ = [
    "ReadLimit",
    "ReadAllAvailable",
    "ReadMinRows",
    "ReadMaxRows",
    "ReadMaxFiles",
    "ReadMaxBytes",
    "SupportsTriggerAvailableNow",
]


class ReadLimit:
    pass


@dataclass
class ReadAllAvailable(ReadLimit):
    pass


@dataclass
class ReadMinRows(ReadLimit):
    min_rows: int


@dataclass
class ReadMaxRows(ReadLimit):
    max_rows: int


@dataclass
class ReadMaxFiles(ReadLimit):
    max_files: int


@dataclass
class ReadMaxBytes(ReadLimit):
    max_bytes: int


class SupportsTriggerAvailableNow(ABC):
    @abstractmethod
    def prepareForTriggerAvailableNow(self):
        ...
