"""The SQL of the calls repository, one cached statement per shape.

A shape is what decides a statement's text: which filters are set and how they compare
(``Term``: a ``Field``, a ``Match``, a parameter name), the date edges, the ``Backend``.
Values are always named parameters, bound by the repository at execution, so building a
statement tree and working out its cache key happen once per shape instead of once per
request. The shapes are few, so the caches need no bound.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Date,
    DateTime,
    Select,
    String,
    Subquery,
    and_,
    bindparam,
    delete,
    func,
    literal,
    literal_column,
    select,
    true,
    tuple_,
    union_all,
)

from callvault.assistants.models import Assistant
from callvault.calls.models import Call
from callvault.calls.phones import call_phone_suffixes
from callvault.calls.tallies import call_count_deltas, call_counts
from callvault.campaigns.models import Campaign
from callvault.db.backends import Backend

_NEWEST_FIRST = (Call.created_at.desc(), Call.id.desc())
_OLDEST_FIRST = (Call.created_at.asc(), Call.id.asc())

_ITEM_COLUMNS = (
    Call.id,
    Assistant.name.label("assistant_name"),
    Campaign.name.label("campaign_name"),
    Call.type,
    Call.duration,
    Call.assistant_phone_number,
    Call.client_phone_number,
    Call.status,
    Call.transcript,
    Call.variables,
    Call.evaluation,
    Call.webhook_response,
    Call.carrier_cost,
    Call.total_cost,
    Call.answered_by,
    Call.recording_url,
    Call.created_at,
    Call.updated_at,
)


def _items_from(calls: Any) -> Select[Any]:
    """The list item's columns, with the assistant's and campaign's names, over ``calls``
    (the table, or a join that starts from the keys to fetch)."""
    return (
        select(*_ITEM_COLUMNS)
        .select_from(calls)
        .outerjoin(
            Assistant, and_(Assistant.user_id == Call.user_id, Assistant.id == Call.assistant_id)
        )
        .outerjoin(
            Campaign, and_(Campaign.user_id == Call.user_id, Campaign.id == Call.campaign_id)
        )
    )


ITEMS = _items_from(Call)

_CALL_COLUMNS = Call.__table__.c


class Field(StrEnum):
    """The columns a WHERE clause over ``calls`` tests."""

    USER = "user_id"
    STATUS = "status"
    TYPE = "type"
    ASSISTANT = "assistant_id"
    CAMPAIGN = "campaign_id"
    DIGITS = "client_phone_digits"
    CREATED_AT = "created_at"

    @property
    def column(self) -> ColumnElement[Any]:
        return _CALL_COLUMNS[self.value]


class Match(StrEnum):
    """How a term compares its column with its parameter."""

    EQUAL = "="
    EQUAL_UNINDEXED = "= (no index)"
    """Equal, but no index may serve the term (SQLite, steered to the numbers' entries)."""
    AT_LEAST = ">="
    BEFORE = "<"
    CONTAINS = "contains"
    ONE_OF = "one of"


class Term(NamedTuple):
    """One condition's shape: the column, the comparison, the parameter's name."""

    field: Field
    match: Match
    param: str


def _condition(term: Term, backend: Backend) -> ColumnElement[bool]:
    column = term.field.column
    match term.match:
        case Match.CONTAINS:
            return column.contains(bindparam(term.param, type_=String()))
        case Match.ONE_OF:
            return backend.one_of(column, term.param)
        case Match.EQUAL:
            return column == bindparam(term.param, type_=column.type)
        case Match.EQUAL_UNINDEXED:
            return backend.unindexed(column) == bindparam(term.param, type_=column.type)
        case Match.AT_LEAST:
            return column >= bindparam(term.param, type_=column.type)
        case Match.BEFORE:
            return column < bindparam(term.param, type_=column.type)


def _conditions(terms: tuple[Term, ...], backend: Backend) -> list[ColumnElement[bool]]:
    return [_condition(term, backend) for term in terms]


def _by_number_order(backend: Backend) -> tuple[ColumnElement[Any], ...]:
    """The list order when calls are found by number, in a form no index provides, so that
    the numbers' entries are read and sorted (work bounded by their count) rather than the
    user's calls walked newest first until enough match (PostgreSQL's pick when it expects
    dense matches, unbounded when the numbers' calls are all old)."""
    return backend.newest_first_unindexed(Call.created_at.expression, Call.id.expression)


def _limit(name: str) -> Any:
    return bindparam(name, type_=BigInteger())


@cache
def count(terms: tuple[Term, ...], backend: Backend) -> Select[Any]:
    count = func.count().label("total")
    if backend.probes_each_value and any(term.match is Match.ONE_OF for term in terms):
        return select(count).select_from(_matches_by_number(terms, backend).subquery())
    return select(count).select_from(Call).where(*_conditions(terms, backend))


@cache
def _tally_days(has_first: bool, has_last: bool) -> Subquery:
    """Rows (day, n) of one tally key, folded and pending; a day may repeat."""
    parts = []
    for table in (call_counts, call_count_deltas):
        conditions = [table.c.user_id == bindparam("user_id"), table.c.key == bindparam("key")]
        if has_first:
            conditions.append(table.c.day >= bindparam("first_day", type_=Date()))
        if has_last:
            conditions.append(table.c.day <= bindparam("last_day", type_=Date()))
        parts.append(select(table.c.day, table.c.n).where(*conditions))
    return union_all(*parts).subquery("tally")


@cache
def tallied_count(
    whole_days: tuple[bool, bool] | None, edges: tuple[tuple[Term, ...], ...], backend: Backend
) -> Select[Any]:
    """Whole days summed from a tally (``(has_first, has_last)``, or None when there are
    none) plus a row count for each partial-day edge."""
    total: ColumnElement[Any] = literal(0)
    if whole_days is not None:
        days = _tally_days(*whole_days)
        total = total + select(func.coalesce(func.sum(days.c.n), 0)).scalar_subquery()
    for edge in edges:
        total = total + count(edge, backend).scalar_subquery()
    return select(total.label("total"))


@cache
def counted_page(total: Select[Any], page: Select[Any]) -> Select[Any]:
    """``total`` (a one-row count) and ``page`` in one statement, so in one snapshot without
    a transaction; an empty page still brings one row, with the total and null columns."""
    counted = total.subquery("counted")
    rows = page.subquery("page")
    return (
        select(counted.c.total, rows)
        .select_from(counted.outerjoin(rows, true()))
        .order_by(rows.c.created_at.desc(), rows.c.id.desc())
    )


@cache
def page(terms: tuple[Term, ...], backend: Backend) -> Select[Any]:
    return (
        ITEMS.where(*_conditions(terms, backend))
        .order_by(*_NEWEST_FIRST)
        .offset(_limit("offset"))
        .limit(_limit("limit"))
    )


@cache
def anchor(
    terms: tuple[Term, ...], backend: Backend, oldest_first: bool = False
) -> Select[datetime, int]:
    """The key of the row ``rest`` rows into a (narrow) window, by an index-only scan: rows
    counted from the newest, or from the oldest when ``oldest_first`` (the shorter walk for
    a row in the window's older half)."""
    order = _OLDEST_FIRST if oldest_first else _NEWEST_FIRST
    return (
        select(Call.created_at, Call.id)
        .where(*_conditions(terms, backend))
        .order_by(*order)
        .offset(_limit("rest"))
        .limit(1)
    )


_AFTER_LAST = tuple_(Call.created_at, Call.id) < tuple_(
    bindparam("after_at", type_=DateTime()), bindparam("after_id", type_=BigInteger())
)


@cache
def page_from_anchor(
    terms: tuple[Term, ...],
    window_terms: tuple[Term, ...],
    backend: Backend,
    oldest_first: bool,
) -> Select[Any]:
    """A deep page in one statement: the rows of ``terms`` from the anchor down, newest
    first, the anchor being found in the narrow window of ``window_terms`` (``anchor``; its
    date parameters named apart). No anchor (past the end) gives no rows."""
    key = anchor(window_terms, backend, oldest_first).correlate(None).scalar_subquery()
    return (
        ITEMS.where(*_conditions(terms, backend), tuple_(Call.created_at, Call.id) <= key)
        .order_by(*_NEWEST_FIRST)
        .limit(_limit("limit"))
    )


@cache
def day_holding(has_first: bool, has_last: bool) -> Select[Any]:
    """The newest day whose running total (newest first) passes ``rest``, the number of
    rows on the days after it, and its own number of rows."""
    tally = _tally_days(has_first, has_last)
    per_day = select(tally.c.day, func.sum(tally.c.n).label("n")).group_by(tally.c.day).subquery()
    running = select(
        per_day.c.day,
        per_day.c.n,
        func.sum(per_day.c.n).over(order_by=per_day.c.day.desc()).label("through"),
    ).subquery()
    return (
        select(running.c.day, running.c.through - running.c.n, running.c.n)
        .where(running.c.through > bindparam("rest", type_=BigInteger()))
        .order_by(running.c.day.desc())
        .limit(1)
    )


@cache
def days_total(has_first: bool, has_last: bool) -> Select[Any]:
    tally = _tally_days(has_first, has_last)
    return select(func.coalesce(func.sum(tally.c.n), 0))


def _rows_by_key(keys: Subquery, *extra: Any) -> Select[Any]:
    """The items (and ``extra`` columns) of the calls whose ids ``keys`` lists, fetched by
    primary key. The join starts from the keys: from ``calls``, SQLite without statistics
    (an imported file) walked all of the user's calls and probed the keys, 120 ms at 210k
    calls instead of 2."""
    on = and_(Call.user_id == bindparam("user_id"), Call.id == keys.c.key)
    return _items_from(keys.join(Call, on)).add_columns(*extra)


def _keys_by_number(terms: tuple[Term, ...], backend: Backend, *, after_last: bool) -> Select[int]:
    """The ids (``key``) of the calls matching ``terms`` (found by number), newest first,
    after the key ``after_at``/``after_id`` when ``after_last``."""
    matches = _matches_by_number(terms, backend, after_last=after_last)
    if not backend.probes_each_value:  # straight from calls, in an order no index gives
        keys = matches.with_only_columns(Call.id.label("key"))
        return keys.order_by(*_by_number_order(backend))
    return _newest_keys(matches.subquery("matches"))


def _newest_keys(matches: Subquery | CTE) -> Select[int]:
    """The ids (``key``) of ``matches`` (columns ``created_at``, ``id``), newest first."""
    keys = select(matches.c.id.label("key"))
    return keys.order_by(matches.c.created_at.desc(), matches.c.id.desc())


def _matches_by_number(
    terms: tuple[Term, ...], backend: Backend, *, after_last: bool = False
) -> Select[datetime, int]:
    """The keys of the calls matching ``terms``, one of whose is ``digits in numbers``
    (after the key ``after_at``/``after_id`` when ``after_last``: inside each probe, so an
    export's later chunks start their index ranges there instead of re-reading them).

    On PostgreSQL each number is its own index range, probed from the unnested array inside
    a LATERAL subquery that ``OFFSET 0`` keeps from being flattened: a plan of this shape
    holds for any user and any list, so a prepared statement's generic plan cannot trade the
    probes for a walk over all of a large user's index entries (what ``= ANY(array)`` got
    for the largest user: the generic plan assumes an average user and filters instead).
    """
    after = [_AFTER_LAST] if after_last else []
    if not backend.probes_each_value:
        conditions = [*_conditions(terms, backend), *after]
        return select(Call.created_at, Call.id).where(*conditions)
    [listed] = [term for term in terms if term.match is Match.ONE_OF]
    others = [_condition(term, backend) for term in terms if term is not listed] + after
    numbers = backend.unnested(listed.param, "number", "value")
    probe = (
        select(Call.created_at, Call.id)
        .where(listed.field.column == numbers.c.value, *others)
        .offset(literal_column("0"))
        .lateral("probe")
    )
    return select(probe.c.created_at, probe.c.id).select_from(numbers).join(probe, true())


@cache
def counted_page_by_number(terms: tuple[Term, ...], backend: Backend) -> Select[Any]:
    """``counted_page`` for calls found by number, reading the numbers' index entries once:
    the matching keys are gathered (a CTE used twice, so materialized), then counted, and
    sorted for the page's keys; only the page's rows are read, by primary key."""
    matches = _matches_by_number(terms, backend).cte("matches")
    total = select(func.count().label("total")).select_from(matches)
    keys = _newest_keys(matches).offset(_limit("offset")).limit(_limit("limit")).subquery("keys")
    return counted_page(total, _rows_by_key(keys))


@cache
def export_chunk(
    terms: tuple[Term, ...], by_number: bool, after_last: bool, backend: Backend
) -> Select[Any]:
    """A chunk of the export: items plus ``assistant_id``/``campaign_id``, newest first,
    after the previous chunk's last key when ``after_last``."""
    if by_number:
        keys = (
            _keys_by_number(terms, backend, after_last=after_last)
            .limit(_limit("limit"))
            .subquery("keys")
        )
        rows = _rows_by_key(keys, Call.assistant_id, Call.campaign_id)
        return rows.order_by(*_by_number_order(backend))
    conditions = _conditions(terms, backend)
    if after_last:
        conditions.append(_AFTER_LAST)
    items = ITEMS.add_columns(Call.assistant_id, Call.campaign_id)
    return items.where(*conditions).order_by(*_NEWEST_FIRST).limit(_limit("limit"))


NUMBERS_HOLDING = (
    select(call_phone_suffixes.c.digits)
    .where(
        call_phone_suffixes.c.user_id == bindparam("user_id"),
        call_phone_suffixes.c.suffix >= bindparam("suffix_low", type_=String()),
        call_phone_suffixes.c.suffix < bindparam("suffix_high", type_=String()),
    )
    .limit(_limit("most"))
)
LAST_ID = select(func.max(Call.id)).where(Call.user_id == bindparam("user_id"))
ONE_CALL = ITEMS.where(Call.user_id == bindparam("user_id"), Call.id == bindparam("call_id"))
DELETE_ONE = delete(Call).where(
    Call.user_id == bindparam("user_id"), Call.id == bindparam("call_id")
)
