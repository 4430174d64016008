"""Events: the base class through the package's re-export, by absolute import."""
from pipelines.common import BaseApiReader


# ok: PDS006
class EventsReader(BaseApiReader):
    # ok: PDS007
    def read(self, partition):
        for page in range(partition.start, partition.end):
            for event in self._fetch(page):
                yield (event["id"], event["ts"])

    # ruleid: PDS007
    def commit(self):
        pass
