"""Shared code of the pipelines."""
from .base import BaseApiReader, PagePartition

__all__ = ["BaseApiReader", "PagePartition"]
