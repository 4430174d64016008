"""Offset helpers shared by the readers (no classes here)."""
from datetime import datetime, timezone


def make_offset():
    """The newest offset: the current time, to the microsecond."""
    return {"ts": datetime.now(timezone.utc).isoformat()}


def make_rounded_offset():
    """The newest offset, truncated to the second: stable between triggers."""
    return {"ts": datetime.now(timezone.utc).replace(microsecond=0).isoformat()}


def make_ts_offset():
    """An offset holding a datetime object: `json.dumps` cannot encode it."""
    return {"ts": datetime.now(timezone.utc).replace(microsecond=0)}
