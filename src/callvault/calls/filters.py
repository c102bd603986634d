"""``CallFilters``: what a list query asks for, in storage terms (UTC, digits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class CallFilters:
    """Every field narrows the list; ``None`` means "any". Times are naive UTC, end exclusive."""

    status: str | None = None
    type: str | None = None
    assistant_id: int | None = None
    campaign_id: int | None = None
    phone_digits: str | None = None
    created_from: datetime | None = None
    created_before: datetime | None = None


def day_start_utc(year: int, month: int, day: int, zone: ZoneInfo) -> datetime | None:
    """The first UTC instant of a calendar day in ``zone``; None when out of datetime's range."""
    try:
        local = datetime(year, month, day, tzinfo=zone)
        return local.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None


def next_day(year: int, month: int, day: int) -> tuple[int, int, int] | None:
    try:
        following = date(year, month, day) + timedelta(days=1)
    except (ValueError, OverflowError):
        return None
    return following.year, following.month, following.day
