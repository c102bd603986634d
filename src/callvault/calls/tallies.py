"""Which per-day tally answers a list query's ``total``, and over which UTC days.

``call_counts`` (migration 0003, kept exact by triggers) holds per user and UTC day the
number of calls under each key of ``TALLY_KEYS``. A filter set is answered by a tally when
its categorical part maps to one key and it has no phone filter; the date range splits into
whole UTC days (summed from the tally) and at most two partial days at the edges (counted
from ``calls`` directly: less than a day of one user's rows each).

On PostgreSQL writers append to ``call_count_deltas`` and fold them into ``call_counts`` when
they can do so without waiting, so a count is the sum over both tables.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from sqlalchemy import BigInteger, Column, Date, MetaData, String, Table

from callvault.calls.filters import CallFilters

call_counts = Table(
    "call_counts",
    MetaData(),  # not Base.metadata: the table belongs to the triggers, never to the ORM
    Column("user_id", BigInteger, primary_key=True),
    Column("key", String(96), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("n", BigInteger, nullable=False),
)
call_count_deltas = Table(
    "call_count_deltas",
    call_counts.metadata,
    Column("user_id", BigInteger, primary_key=True),
    Column("key", String(96), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("id", BigInteger, primary_key=True),
    Column("n", BigInteger, nullable=False),
)


@dataclass(frozen=True)
class TallyKey:
    """A kind of tally: ``prefix``, then the values of ``columns`` (call columns, also the
    names of their ``CallFilters`` fields), joined by ``:``. A NULL value means no such key."""

    prefix: str
    columns: tuple[str, ...]


TALLY_KEYS: tuple[TallyKey, ...] = (
    TallyKey("*", ()),
    TallyKey("s", ("status",)),
    TallyKey("t", ("type",)),
    TallyKey("st", ("status", "type")),
    TallyKey("a", ("assistant_id",)),
    TallyKey("c", ("campaign_id",)),
)
"""Every key a call counts under (the SQL of ``callvault.calls.tally_sql`` is rendered from it)."""

_DAY_RANGE = frozenset({"created_from", "created_before"})


def tally_key(filters: CallFilters) -> str | None:
    """The tally key that counts exactly the calls matching the filters other than the date
    range; None when no key does (a phone filter, or a combination no key covers)."""
    chosen = {
        field.name: value
        for field in fields(filters)
        if field.name not in _DAY_RANGE and (value := getattr(filters, field.name)) is not None
    }
    for key in TALLY_KEYS:
        if set(key.columns) == set(chosen):
            return ":".join((key.prefix, *(str(chosen[column]) for column in key.columns)))
    return None


Range = tuple[datetime | None, datetime | None]


@dataclass(frozen=True)
class DaySplit:
    """A half-open UTC range cut into whole days and the partial ranges around them."""

    first_day: date | None  # whole days first_day .. last_day, inclusive; None: unbounded
    last_day: date | None
    low_edge: Range | None = None  # the part before first_day
    high_edge: Range | None = None  # the part after last_day
    whole_days: bool = True  # False: no whole day inside; low_edge is the whole range

    @property
    def edges(self) -> tuple[Range, ...]:
        return tuple(edge for edge in (self.low_edge, self.high_edge) if edge is not None)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def split_days(start: datetime | None, end: datetime | None) -> DaySplit | None:
    """Whole UTC days inside ``[start, end)`` and the partial ranges around them.

    None when a bound sits at the edge of datetime's range (the plain count answers).
    """
    try:
        first = low_edge = None
        if start is not None:
            first = start.date()
            if start != _midnight(first):
                first += timedelta(days=1)
                low_edge = (start, _midnight(first))
        last = high_edge = None
        if end is not None:
            last = end.date() - timedelta(days=1)
            if end != _midnight(end.date()):
                high_edge = (_midnight(end.date()), end)
    except OverflowError:
        return None
    if first is not None and last is not None and first > last:
        # Inside one day, or across a single midnight: count it directly.
        return DaySplit(None, None, low_edge=(start, end), whole_days=False)
    return DaySplit(first, last, low_edge, high_edge)


def day_start(day: date) -> datetime:
    return _midnight(day)


def day_end(day: date) -> datetime:
    return _midnight(day) + timedelta(days=1)
