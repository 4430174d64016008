"""Offset helpers shared by the readers (no classes here). The offsets lag five minutes behind
the clock, so that late events are still read."""
from datetime import datetime, timedelta, timezone

LAG = timedelta(minutes=5)


def make_offset():
    """The newest offset: the lagged time, to the microsecond."""
    return {"ts": (datetime.now(timezone.utc) - LAG).isoformat()}


def make_rounded_offset():
    """The newest offset, truncated to the second: stable between triggers."""
    return {"ts": (datetime.now(timezone.utc) - LAG).replace(microsecond=0).isoformat()}


def make_ts_offset():
    """An offset holding a datetime object: `json.dumps` cannot encode it."""
    return {"ts": (datetime.now(timezone.utc) - LAG).replace(microsecond=0)}
