"""Every SQL statement about calls, built for one tenant: there is no unscoped query here."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
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
    tuple_,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Row
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from callvault.assistants.models import Assistant
from callvault.calls.filters import CallFilters
from callvault.calls.models import Call
from callvault.calls.phones import SHORTEST_SUFFIX, call_phone_suffixes, suffixes_starting_with
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


def _unindexed(column: QueryableAttribute[Any]) -> ColumnElement[Any]:
    """SQLite's unary ``+``: the same value, but no index serves the term (or the order)."""
    element = column.expression
    return UnaryExpression(element, operator=operators.custom_op("+"), type_=element.type)


class CallRepository:
    """The calls of one user."""

    def __init__(self, connection: Connection, user_id: int) -> None:
        self.connection = connection
        self.user_id = user_id
        self._numbers: dict[str, tuple[str, ...] | None] = {}
        self._postgresql = connection.dialect.name == "postgresql"

    def _conditions(self, filters: CallFilters) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [Call.user_id == self.user_id]
        steer = self._steer_to_numbers(filters)
        for column, value in (
            (Call.status, filters.status),
            (Call.type, filters.type),
            (Call.assistant_id, filters.assistant_id),
            (Call.campaign_id, filters.campaign_id),
        ):
            if value is not None:
                conditions.append((_unindexed(column) if steer else column) == value)
        if filters.phone_digits is not None:
            conditions.append(self._phone_condition(filters.phone_digits))
        if filters.created_from is not None:
            conditions.append(Call.created_at >= filters.created_from)
        if filters.created_before is not None:
            conditions.append(Call.created_at < filters.created_before)
        return conditions

    def _phone_condition(self, digits: str) -> ColumnElement[bool]:
        """Calls whose number contains ``digits``: by number when few numbers do."""
        numbers = self._phone_numbers(digits)
        if numbers is None:
            return Call.client_phone_digits.contains(digits)
        if self._postgresql:
            listed = bindparam("numbers", list(numbers), _NUMBERS, unique=True)
            return Call.client_phone_digits == any_(listed)
        return Call.client_phone_digits.in_(numbers)

    def _phone_numbers(self, digits: str) -> tuple[str, ...] | None:
        """This user's numbers containing ``digits`` (some may no longer have calls), or None
        when the suffix table cannot say (too short) or would list too many."""
        if len(digits) < SHORTEST_SUFFIX:
            return None
        if digits not in self._numbers:
            found = self.connection.scalars(
                select(call_phone_suffixes.c.digits)
                .where(suffixes_starting_with(self.user_id, digits))
                .limit(MAX_PHONE_NUMBERS + 1)
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

    def _newest_first(self, filters: CallFilters) -> tuple[ColumnElement[Any], ...]:
        """The list order; for a list of numbers one no index provides, so that the numbers'
        entries are read and sorted (work bounded by their count) rather than the user's
        calls walked newest first until enough match (PostgreSQL's pick when it expects
        dense matches, unbounded when the numbers' calls are all old)."""
        if not self._by_number(filters):
            return _NEWEST_FIRST
        if self._postgresql:
            return (tuple_(Call.created_at, Call.id).desc(),)
        return (_unindexed(Call.created_at).desc(), _unindexed(Call.id).desc())

    def _matches_nothing(self, filters: CallFilters) -> bool:
        """True when the phone filter alone rules out every call (no query on calls needed)."""
        digits = filters.phone_digits
        return digits is not None and self._phone_numbers(digits) == ()

    def _items(self) -> Select[Any]:
        return (
            select(*_ITEM_COLUMNS)
            .select_from(Call)
            .outerjoin(
                Assistant,
                and_(Assistant.user_id == Call.user_id, Assistant.id == Call.assistant_id),
            )
            .outerjoin(
                Campaign, and_(Campaign.user_id == Call.user_id, Campaign.id == Call.campaign_id)
            )
        )

    def count(self, filters: CallFilters) -> int:
        """The exact number of matching calls, from the tallies when they can answer."""
        if self._matches_nothing(filters):
            return 0
        key = tally_key(filters)
        split = split_days(filters.created_from, filters.created_before) if key else None
        if key is None or split is None:
            return int(self.connection.scalar(self._count_statement(filters)) or 0)
        parts: list[Any] = [literal(0)]
        if split.whole_days:
            days = self._tally_days(key, split.first_day, split.last_day)
            parts.append(select(func.coalesce(func.sum(days.c.n), 0)).scalar_subquery())
        for low, high in split.edges:
            edge = replace(filters, created_from=low, created_before=high)
            parts.append(self._count_statement(edge).scalar_subquery())
        total = parts[0]
        for part in parts[1:]:
            total = total + part
        return int(self.connection.scalar(select(total)) or 0)

    def page(self, filters: CallFilters, *, offset: int, limit: int) -> Sequence[Row[Any]]:
        """Calls newest first (``created_at`` then ``id`` descending)."""
        if self._matches_nothing(filters):
            return []
        if self._by_number(filters):
            return self._page_by_number(filters, offset=offset, limit=limit)
        conditions = self._conditions(filters)
        statement = self._items().where(*conditions).order_by(*_NEWEST_FIRST).limit(limit)
        if offset <= PLAIN_OFFSET_LIMIT:
            return self.connection.execute(statement.offset(offset)).all()
        window, rest = self._jump(filters, offset)
        anchor = self.connection.execute(
            select(Call.created_at, Call.id)
            .where(*self._conditions(window))
            .order_by(*_NEWEST_FIRST)
            .offset(rest)
            .limit(1)
        ).first()
        if anchor is None:
            return []
        seek = tuple_(Call.created_at, Call.id) <= tuple_(
            literal(anchor[0], Call.created_at.type), literal(anchor[1], Call.id.type)
        )
        return self.connection.execute(statement.where(seek)).all()

    def _page_by_number(self, filters: CallFilters, *, offset: int, limit: int) -> list[Row[Any]]:
        """The page's keys from the numbers' index entries (sorted, at any offset: their
        count is what ``count`` reads anyway), then only the page's rows."""
        newest_first = self._newest_first(filters)
        ids = self.connection.scalars(
            select(Call.id)
            .where(*self._conditions(filters))
            .order_by(*newest_first)
            .offset(offset)
            .limit(limit)
        ).all()
        if not ids:
            return []
        rows = self._items().where(Call.user_id == self.user_id, Call.id.in_(ids))
        return list(self.connection.execute(rows.order_by(*newest_first)).all())

    def _jump(self, filters: CallFilters, offset: int) -> tuple[CallFilters, int]:
        """A narrower window (one day, or one edge range) holding row ``offset``, and the
        offset inside it. Falls back to the whole range when no tally answers."""
        key = tally_key(filters)
        split = split_days(filters.created_from, filters.created_before) if key else None
        if key is None or split is None or not split.whole_days:
            return filters, offset
        rest = offset
        if split.high_edge is not None:
            newest = self._edge_count(filters, split.high_edge)
            if rest < newest:
                return self._window(filters, split.high_edge), rest
            rest -= newest
        # The newest day whose running total (newest first) passes ``rest``, found in SQL.
        tally = self._tally_days(key, split.first_day, split.last_day)
        per_day = (
            select(tally.c.day, func.sum(tally.c.n).label("n")).group_by(tally.c.day).subquery()
        )
        running = select(
            per_day.c.day,
            per_day.c.n,
            func.sum(per_day.c.n).over(order_by=per_day.c.day.desc()).label("through"),
        ).subquery()
        found = self.connection.execute(
            select(running.c.day, running.c.through - running.c.n)
            .where(running.c.through > rest)
            .order_by(running.c.day.desc())
            .limit(1)
        ).first()
        if found is not None:
            day, before = found
            return self._window(filters, (day_start(day), day_end(day))), rest - int(before)
        if split.low_edge is not None:
            days_total = self.connection.scalar(select(func.coalesce(func.sum(tally.c.n), 0)))
            return self._window(filters, split.low_edge), rest - int(days_total or 0)
        return filters, offset

    @staticmethod
    def _window(filters: CallFilters, bounds: Range) -> CallFilters:
        return replace(filters, created_from=bounds[0], created_before=bounds[1])

    def _edge_count(self, filters: CallFilters, edge: Range) -> int:
        return int(self.connection.scalar(self._count_statement(self._window(filters, edge))) or 0)

    def _count_statement(self, filters: CallFilters) -> Select[Any]:
        return select(func.count()).select_from(Call).where(*self._conditions(filters))

    def _tally_days(self, key: str, first: date | None, last: date | None) -> Subquery:
        """Rows (day, n) of one tally key, folded and pending; a day may repeat."""
        parts = []
        for table in (call_counts, call_count_deltas):
            conditions = [table.c.user_id == self.user_id, table.c.key == key]
            if first is not None:
                conditions.append(table.c.day >= first)
            if last is not None:
                conditions.append(table.c.day <= last)
            parts.append(select(table.c.day, table.c.n).where(*conditions))
        return union_all(*parts).subquery("tally")

    def newest_first(self, filters: CallFilters, *, chunk: int = 1000) -> Iterator[Row[Any]]:
        """Every matching call, as items plus ``assistant_id``/``campaign_id``, newest first,
        read in keyset chunks so memory stays flat however many there are (export)."""
        if self._matches_nothing(filters):
            return
        base = (
            self._items()
            .add_columns(Call.assistant_id, Call.campaign_id)
            .where(*self._conditions(filters))
            .order_by(*self._newest_first(filters))
            .limit(chunk)
        )
        statement = base
        while True:
            rows = self.connection.execute(statement).all()
            yield from rows
            if len(rows) < chunk:
                return
            last = rows[-1]
            statement = base.where(
                tuple_(Call.created_at, Call.id)
                < tuple_(
                    literal(last.created_at, Call.created_at.type), literal(last.id, Call.id.type)
                )
            )

    def get(self, call_id: int) -> Row[Any] | None:
        statement = self._items().where(Call.user_id == self.user_id, Call.id == call_id)
        return self.connection.execute(statement).first()

    def delete(self, call_id: int) -> bool:
        statement = delete(Call).where(Call.user_id == self.user_id, Call.id == call_id)
        return bool(self.connection.execute(statement).rowcount)

    def insert_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert new calls (column dicts without ``user_id``) for this user."""
        if rows:
            self.connection.execute(
                insert(Call), [{**row, "user_id": self.user_id} for row in rows]
            )
