"""The office's clock: times are stored in UTC and shown in the office's zone, labelled.

The zone is `REVIEW_FLOW_TZ` (default Asia/Shanghai). Dates in records and the OA catalogue
are local dates: a document published at 07:30 Beijing time on the 3rd is dated the 3rd.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from review_flow.errors import UsageError

DEFAULT_ZONE = "Asia/Shanghai"


def zone() -> ZoneInfo:
    name = os.environ.get("REVIEW_FLOW_TZ") or DEFAULT_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"REVIEW_FLOW_TZ={name!r} is not a time zone (e.g. Asia/Shanghai)"
        ) from None


def aware(ts: datetime) -> datetime:
    """SQLite gives naive datetimes back; they are UTC by construction here."""
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def local(ts: datetime) -> datetime:
    return aware(ts).astimezone(zone())


def stamp(ts: datetime) -> str:
    """`2026-12-03 14:46 +08:00`: local time with its offset as the label."""
    shown = local(ts)
    return f"{shown:%Y-%m-%d %H:%M} {offset(shown)}"


def offset(ts: datetime) -> str:
    text = ts.strftime("%z")  # +0800
    return f"{text[:3]}:{text[3:]}" if text else "UTC"


def local_date(ts: datetime) -> str:
    return f"{local(ts):%Y-%m-%d}"


def label() -> str:
    """The zone as shown beside a table of times: `Asia/Shanghai (+08:00)`."""
    now = datetime.now(zone())
    return f"{zone().key} ({offset(now)})"


def parse(value: str | None, end: bool = False) -> datetime | None:
    """A date or time typed at the desk, in UTC. A date means local midnight (with `end`: the
    midnight after it, so `--until 2026-12-03` includes the 3rd); a time without zone is local."""
    if not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value) + timedelta(days=1 if end else 0)
            when = datetime.combine(day, time(), zone())
        else:
            when = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"not a date: {value!r} (use YYYY-MM-DD or an ISO time)") from None
    return (when if when.tzinfo else when.replace(tzinfo=zone())).astimezone(UTC)


def waiting(since: datetime, now: datetime | None = None) -> str:
    """How long something has waited, as an office says it: 2天3小时, 5小时, 12分钟."""
    seconds = int(((now or datetime.now(UTC)) - aware(since)).total_seconds())
    days, rest = divmod(max(seconds, 0), 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days}天{hours}小时"
    return f"{hours}小时" if hours else f"{rest // 60}分钟"
