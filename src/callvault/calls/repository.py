"""Every SQL statement about calls, built for one tenant: there is no unscoped query here.

Statements are built once per shape (which filters are set, which backend) with named
parameters, then reused with each request's values: building a statement tree and working
out its cache key cost about as much Python time as running it. The shapes are few (the
filters set, the date edges, the backend), so the caches need no bound.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Date,
    DateTime,
    Select,
    String,
    Subquery,
    and_,
    any_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Row
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from callvault.assistants.models import Assistant
from callvault.calls.filters import CallFilters
from callvault.calls.models import Call
from callvault.calls.phones import SHORTEST_SUFFIX, call_phone_suffixes, suffix_range
from callvault.calls.tallies import (
    Range,
    call_count_deltas,
    call_counts,
    day_end,
    day_start,
    split_days,
    tally_key,
)
from callvault.campaigns.models import Campaign

# Up to this offset a page is read with a plain OFFSET; deeper pages first find the day the
# offset falls in from the tallies, then seek its first key with an index-only scan.
PLAIN_OFFSET_LIMIT = 300

# A phone filter first reads the user's numbers holding the digits from the suffix table (one
# key range, at most this many rows; a number may hold the digits twice); calls are then found
# by number, an index range each. A query matching more (a common area code) falls back to a
# substring test over the user's entries of ix_calls_phone_digits_newest: exact, but a scan.
MAX_PHONE_NUMBERS = 1000

_NUMBERS = postgresql.ARRAY(String())
_NEWEST_FIRST = (Call.created_at.desc(), Call.id.desc())

ITEMS = (  # the list item's columns, with the assistant's and campaign's names
    select(
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
    .select_from(Call)
    .outerjoin(
        Assistant, and_(Assistant.user_id == Call.user_id, Assistant.id == Call.assistant_id)
    )
    .outerjoin(Campaign, and_(Campaign.user_id == Call.user_id, Campaign.id == Call.campaign_id))
)

_COLUMNS: dict[str, ColumnElement[Any]] = {
    "user_id": Call.user_id.expression,
    "status": Call.status.expression,
    "type": Call.type.expression,
    "assistant_id": Call.assistant_id.expression,
    "campaign_id": Call.campaign_id.expression,
    "digits": Call.client_phone_digits.expression,
    "created_at": Call.created_at.expression,
}

Term = tuple[str, str, str]
"""One condition's shape: (column, operator, parameter name)."""


@dataclass(frozen=True)
class Where:
    """The shape of a WHERE clause over ``calls`` and the values of its parameters."""

    terms: tuple[Term, ...]
    params: dict[str, Any]


def _unindexed(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """SQLite's unary ``+``: the same value, but no index serves the term (or the order)."""
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def _condition(term: Term, on_postgresql: bool) -> ColumnElement[bool]:
    field, operator, name = term
    column = _COLUMNS[field]
    if operator == "contains":
        return column.contains(bindparam(name, type_=String()))
    if operator == "in":
        if on_postgresql:
            return column == any_(bindparam(name, type_=_NUMBERS))
        return column.in_(bindparam(name, expanding=True))
    value = bindparam(name, type_=column.type)
    if operator == "=":
        return column == value
    if operator == "=+":
        return _unindexed(column) == value
    if operator == ">=":
        return column >= value
    if operator == "<":
        return column < value
    raise ValueError(f"unknown operator {operator!r}")


def _conditions(terms: tuple[Term, ...], on_postgresql: bool) -> list[ColumnElement[bool]]:
    return [_condition(term, on_postgresql) for term in terms]


def _by_number_order(on_postgresql: bool) -> tuple[ColumnElement[Any], ...]:
    """The list order when calls are found by number, in a form no index provides, so that
    the numbers' entries are read and sorted (work bounded by their count) rather than the
    user's calls walked newest first until enough match (PostgreSQL's pick when it expects
    dense matches, unbounded when the numbers' calls are all old)."""
    if on_postgresql:
        return (tuple_(Call.created_at, Call.id).desc(),)
    created_at, call_id = Call.created_at.expression, Call.id.expression
    return (_unindexed(created_at).desc(), _unindexed(call_id).desc())


def _limit(name: str) -> Any:
    return bindparam(name, type_=BigInteger())


_LARGEST_OFFSET = 2**63 - 1  # what the databases' OFFSET can take; no user has more rows


@cache
def _count(terms: tuple[Term, ...], on_postgresql: bool) -> Select[Any]:
    count = func.count().label("total")
    return select(count).select_from(Call).where(*_conditions(terms, on_postgresql))


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
def _tallied_count(
    whole_days: tuple[bool, bool] | None, edges: tuple[tuple[Term, ...], ...], on_postgresql: bool
) -> Select[Any]:
    """Whole days summed from a tally (``(has_first, has_last)``, or None when there are
    none) plus a row count for each partial-day edge."""
    total: ColumnElement[Any] = literal(0)
    if whole_days is not None:
        days = _tally_days(*whole_days)
        total = total + select(func.coalesce(func.sum(days.c.n), 0)).scalar_subquery()
    for edge in edges:
        total = total + _count(edge, on_postgresql).scalar_subquery()
    return select(total.label("total"))


@cache
def _counted_page(total: Select[Any], page: Select[Any]) -> Select[Any]:
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
def _page(terms: tuple[Term, ...], on_postgresql: bool) -> Select[Any]:
    return (
        ITEMS.where(*_conditions(terms, on_postgresql))
        .order_by(*_NEWEST_FIRST)
        .offset(_limit("offset"))
        .limit(_limit("limit"))
    )


@cache
def _anchor(terms: tuple[Term, ...], on_postgresql: bool) -> Select[datetime, int]:
    """The key of the row ``rest`` rows down a (narrow) window, by an index-only scan."""
    return (
        select(Call.created_at, Call.id)
        .where(*_conditions(terms, on_postgresql))
        .order_by(*_NEWEST_FIRST)
        .offset(_limit("rest"))
        .limit(1)
    )


_UP_TO_ANCHOR = tuple_(Call.created_at, Call.id) <= tuple_(
    bindparam("anchor_at", type_=DateTime()), bindparam("anchor_id", type_=BigInteger())
)
_AFTER_LAST = tuple_(Call.created_at, Call.id) < tuple_(
    bindparam("after_at", type_=DateTime()), bindparam("after_id", type_=BigInteger())
)


@cache
def _seek_page(terms: tuple[Term, ...], on_postgresql: bool) -> Select[Any]:
    return (
        ITEMS.where(*_conditions(terms, on_postgresql), _UP_TO_ANCHOR)
        .order_by(*_NEWEST_FIRST)
        .limit(_limit("limit"))
    )


@cache
def _day_holding(has_first: bool, has_last: bool) -> Select[Any]:
    """The newest day whose running total (newest first) passes ``rest``, and the number of
    rows on the days after it."""
    tally = _tally_days(has_first, has_last)
    per_day = select(tally.c.day, func.sum(tally.c.n).label("n")).group_by(tally.c.day).subquery()
    running = select(
        per_day.c.day,
        per_day.c.n,
        func.sum(per_day.c.n).over(order_by=per_day.c.day.desc()).label("through"),
    ).subquery()
    return (
        select(running.c.day, running.c.through - running.c.n)
        .where(running.c.through > bindparam("rest", type_=BigInteger()))
        .order_by(running.c.day.desc())
        .limit(1)
    )


@cache
def _days_total(has_first: bool, has_last: bool) -> Select[Any]:
    tally = _tally_days(has_first, has_last)
    return select(func.coalesce(func.sum(tally.c.n), 0))


@cache
def _page_by_number(terms: tuple[Term, ...], on_postgresql: bool) -> Select[Any]:
    """The page's keys from the numbers' index entries (sorted, at any offset: their count
    is what the total reads anyway), then only the page's rows, by primary key."""
    keys = (
        select(Call.id.label("key"))
        .where(*_conditions(terms, on_postgresql))
        .order_by(*_by_number_order(on_postgresql))
        .offset(_limit("offset"))
        .limit(_limit("limit"))
        .subquery("keys")
    )
    return (
        ITEMS.join(keys, Call.id == keys.c.key)
        .where(Call.user_id == bindparam("user_id"))
        .order_by(*_by_number_order(on_postgresql))
    )


@cache
def _export_chunk(
    terms: tuple[Term, ...], by_number: bool, after_last: bool, on_postgresql: bool
) -> Select[Any]:
    """A chunk of the export: items plus ``assistant_id``/``campaign_id``, newest first,
    after the previous chunk's last key when ``after_last``."""
    conditions = _conditions(terms, on_postgresql)
    if after_last:
        conditions.append(_AFTER_LAST)
    order = _by_number_order(on_postgresql) if by_number else _NEWEST_FIRST
    return (
        ITEMS.add_columns(Call.assistant_id, Call.campaign_id)
        .where(*conditions)
        .order_by(*order)
        .limit(_limit("limit"))
    )


_NUMBERS_HOLDING = (
    select(call_phone_suffixes.c.digits)
    .where(
        call_phone_suffixes.c.user_id == bindparam("user_id"),
        call_phone_suffixes.c.suffix >= bindparam("suffix_low", type_=String()),
        call_phone_suffixes.c.suffix < bindparam("suffix_high", type_=String()),
    )
    .limit(_limit("most"))
)
_ONE = ITEMS.where(Call.user_id == bindparam("user_id"), Call.id == bindparam("call_id"))
_DELETE_ONE = delete(Call).where(
    Call.user_id == bindparam("user_id"), Call.id == bindparam("call_id")
)


class CallRepository:
    """The calls of one user."""

    def __init__(self, connection: Connection, user_id: int) -> None:
        self.connection = connection
        self.user_id = user_id
        self._numbers: dict[str, tuple[str, ...] | None] = {}
        self._postgresql = connection.dialect.name == "postgresql"

    def where(self, filters: CallFilters, *, dates: str = "") -> Where:
        """The WHERE clause of ``filters`` for this user; ``dates`` prefixes the names of the
        date parameters, so that several ranges can sit in one statement."""
        terms: list[Term] = [("user_id", "=", "user_id")]
        params: dict[str, Any] = {"user_id": self.user_id}
        steer = self._steer_to_numbers(filters)
        for field in ("status", "type", "assistant_id", "campaign_id"):
            value = getattr(filters, field)
            if value is not None:
                terms.append((field, "=+" if steer else "=", field))
                params[field] = value
        if filters.phone_digits is not None:
            numbers = self._phone_numbers(filters.phone_digits)
            if numbers is None:
                terms.append(("digits", "contains", "digits"))
                params["digits"] = filters.phone_digits
            else:
                terms.append(("digits", "in", "numbers"))
                params["numbers"] = list(numbers)
        for bound, operator, value in (
            ("created_from", ">=", filters.created_from),
            ("created_before", "<", filters.created_before),
        ):
            if value is not None:
                terms.append(("created_at", operator, dates + bound))
                params[dates + bound] = value
        return Where(tuple(terms), params)

    def _phone_numbers(self, digits: str) -> tuple[str, ...] | None:
        """This user's numbers containing ``digits`` (some may no longer have calls), or None
        when the suffix table cannot say (too short) or would list too many."""
        if len(digits) < SHORTEST_SUFFIX:
            return None
        if digits not in self._numbers:
            low, high = suffix_range(digits)
            params = {"user_id": self.user_id, "suffix_low": low, "suffix_high": high}
            found = self.connection.scalars(
                _NUMBERS_HOLDING, {**params, "most": MAX_PHONE_NUMBERS + 1}
            ).all()
            over = len(found) > MAX_PHONE_NUMBERS
            self._numbers[digits] = None if over else tuple(sorted(set(found)))
        return self._numbers[digits]

    def _by_number(self, filters: CallFilters) -> bool:
        """Whether the phone filter is answered by a (non-empty) list of numbers."""
        digits = filters.phone_digits
        return digits is not None and bool(self._phone_numbers(digits))

    def _steer_to_numbers(self, filters: CallFilters) -> bool:
        """Whether SQLite must be kept off the other indexes: without statistics its planner
        prefers walking ``ix_calls_newest`` (or the status/type/… index) and filtering, a
        scan of the user's calls, over probing the matching numbers and sorting them."""
        return not self._postgresql and self._by_number(filters)

    def _matches_nothing(self, filters: CallFilters) -> bool:
        """True when the phone filter alone rules out every call (no query on calls needed)."""
        digits = filters.phone_digits
        return digits is not None and self._phone_numbers(digits) == ()

    def count_rows(self, filters: CallFilters) -> int:
        """The exact number of matching calls, counted row by row (no tallies)."""
        where = self.where(filters)
        return int(self.connection.scalar(_count(where.terms, self._postgresql), where.params))

    def count(self, filters: CallFilters) -> int:
        """The exact number of matching calls, from the tallies when they can answer."""
        if self._matches_nothing(filters):
            return 0
        statement, params = self._count_query(filters)
        return int(self.connection.scalar(statement, params) or 0)

    def looks_up_numbers(self, filters: CallFilters) -> bool:
        """Whether a read of ``filters`` first asks the suffix table for the numbers holding
        the digits: that statement and the list's must then share a snapshot."""
        digits = filters.phone_digits
        return digits is not None and len(digits) >= SHORTEST_SUFFIX

    def count_and_page(
        self, filters: CallFilters, *, offset: int, limit: int
    ) -> tuple[int, list[Row[Any]]] | None:
        """The total and a page in one statement (after the numbers lookup of a phone
        filter, see ``looks_up_numbers``), or None when the page takes several steps (a deep
        offset found from the tallies)."""
        if self._matches_nothing(filters):
            return 0, []
        by_number = self._by_number(filters)
        if offset > PLAIN_OFFSET_LIMIT and not by_number:
            return None
        total, params = self._count_query(filters)
        where = self.where(filters)
        page = (_page_by_number if by_number else _page)(where.terms, self._postgresql)
        statement = _counted_page(total, page)
        params.update(where.params, offset=min(offset, _LARGEST_OFFSET), limit=limit)
        rows = self.connection.execute(statement, params).all()
        count = int(rows[0].total or 0)
        return count, [row for row in rows if row.id is not None]

    def _count_query(self, filters: CallFilters) -> tuple[Select[Any], dict[str, Any]]:
        """A one-row ``total`` for ``filters`` (phone filters included) and its parameters."""
        key = tally_key(filters)
        split = split_days(filters.created_from, filters.created_before) if key else None
        if key is None or split is None:
            where = self.where(filters)
            return _count(where.terms, self._postgresql), where.params
        params: dict[str, Any] = {"user_id": self.user_id, "key": key}
        whole_days = None
        if split.whole_days:
            whole_days = (split.first_day is not None, split.last_day is not None)
            params.update(first_day=split.first_day, last_day=split.last_day)
        edges = []
        for index, (low, high) in enumerate(split.edges):
            edge = self.where(
                replace(filters, created_from=low, created_before=high), dates=f"e{index}_"
            )
            edges.append(edge.terms)
            params.update(edge.params)
        return _tallied_count(whole_days, tuple(edges), self._postgresql), params

    def page(self, filters: CallFilters, *, offset: int, limit: int) -> Sequence[Row[Any]]:
        """Calls newest first (``created_at`` then ``id`` descending)."""
        if self._matches_nothing(filters):
            return []
        if self._by_number(filters):
            return self._page_by_number(filters, offset=offset, limit=limit)
        where = self.where(filters)
        if offset <= PLAIN_OFFSET_LIMIT:
            statement = _page(where.terms, self._postgresql)
            return self.connection.execute(
                statement, {**where.params, "offset": offset, "limit": limit}
            ).all()
        window, rest = self._jump(filters, offset)
        window_where = self.where(window)
        anchor = self.connection.execute(
            _anchor(window_where.terms, self._postgresql), {**window_where.params, "rest": rest}
        ).first()
        if anchor is None:
            return []
        params = {**where.params, "anchor_at": anchor[0], "anchor_id": anchor[1], "limit": limit}
        return self.connection.execute(_seek_page(where.terms, self._postgresql), params).all()

    def _page_by_number(self, filters: CallFilters, *, offset: int, limit: int) -> list[Row[Any]]:
        where = self.where(filters)
        statement = _page_by_number(where.terms, self._postgresql)
        params = {**where.params, "offset": min(offset, _LARGEST_OFFSET), "limit": limit}
        return list(self.connection.execute(statement, params))

    def _jump(self, filters: CallFilters, offset: int) -> tuple[CallFilters, int]:
        """A narrower window (one day, or one edge range) holding row ``offset``, and the
        offset inside it. Falls back to the whole range when no tally answers."""
        key = tally_key(filters)
        split = split_days(filters.created_from, filters.created_before) if key else None
        if key is None or split is None or not split.whole_days:
            return filters, offset
        rest = offset
        if split.high_edge is not None:
            newest = self.count_rows(self._window(filters, split.high_edge))
            if rest < newest:
                return self._window(filters, split.high_edge), rest
            rest -= newest
        shape = (split.first_day is not None, split.last_day is not None)
        params = {
            "user_id": self.user_id,
            "key": key,
            "first_day": split.first_day,
            "last_day": split.last_day,
        }
        found = self.connection.execute(_day_holding(*shape), {**params, "rest": rest}).first()
        if found is not None:
            day, before = found
            return self._window(filters, (day_start(day), day_end(day))), rest - int(before)
        if split.low_edge is not None:
            days_total = self.connection.scalar(_days_total(*shape), params)
            return self._window(filters, split.low_edge), rest - int(days_total or 0)
        return filters, offset

    @staticmethod
    def _window(filters: CallFilters, bounds: Range) -> CallFilters:
        return replace(filters, created_from=bounds[0], created_before=bounds[1])

    def newest_first(self, filters: CallFilters, *, chunk: int = 1000) -> Iterator[Row[Any]]:
        """Every matching call, as items plus ``assistant_id``/``campaign_id``, newest first,
        read in keyset chunks so memory stays flat however many there are (export)."""
        if self._matches_nothing(filters):
            return
        where = self.where(filters)
        by_number = self._by_number(filters)
        params: dict[str, Any] = {**where.params, "limit": chunk}
        after_last = False
        while True:
            statement = _export_chunk(where.terms, by_number, after_last, self._postgresql)
            rows = self.connection.execute(statement, params).all()
            yield from rows
            if len(rows) < chunk:
                return
            after_last = True
            params.update(after_at=rows[-1].created_at, after_id=rows[-1].id)

    def get(self, call_id: int) -> Row[Any] | None:
        return self.connection.execute(_ONE, {"user_id": self.user_id, "call_id": call_id}).first()

    def delete(self, call_id: int) -> bool:
        result = self.connection.execute(_DELETE_ONE, {"user_id": self.user_id, "call_id": call_id})
        return bool(result.rowcount)

    def insert_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert new calls (column dicts without ``user_id``) for this user."""
        if rows:
            self.connection.execute(
                insert(Call), [{**row, "user_id": self.user_id} for row in rows]
            )
