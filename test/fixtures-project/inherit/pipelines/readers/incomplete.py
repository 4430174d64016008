"""A reader that forgot `read`: the base class (in another module) does not define it either."""
import pipelines.common.base as base


# ruleid: PDS006
class IncompleteReader(base.BaseApiReader):
    def latestOffset(self):
        return {"page": self._last_page() - 1}
