"""The base of the API readers: offsets are page numbers; subclasses define `read`."""
import requests
from pyspark.sql.datasource import DataSourceStreamReader, InputPartition


class PagePartition(InputPartition):
    def __init__(self, start, end):
        self.start = start
        self.end = end


# ok: PDS006
class BaseApiReader(DataSourceStreamReader):
    """Abstract: every API reader derives from it (in other modules) and defines `read`."""

    def __init__(self, options):
        self.url = options["url"]

    def initialOffset(self):
        return {"page": 0}

    def latestOffset(self):
        return {"page": self._last_page()}

    def partitions(self, start, end):
        self.window = (start["page"], end["page"])
        return [PagePartition(start["page"], end["page"])]

    def _last_page(self):
        return requests.get(f"{self.url}/pages", timeout=10).json()["last"]

    def _fetch(self, page):
        return requests.get(f"{self.url}?page={page}", timeout=10).json()["items"]
