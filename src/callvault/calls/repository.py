"""Reading and writing one tenant's calls: there is no unscoped query here.

The repository picks a statement shape from ``calls.statements`` for the filters and binds
this user's values to it; every shape binds ``user_id``. Built only by
``CallRepository.of(tenant)``, for the unit of work's user.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    Select,
    insert,
)
from sqlalchemy.engine import Row

from callvault.calls import statements as sql
from callvault.calls.filters import CallFilters
from callvault.calls.models import Call
from callvault.calls.phones import SHORTEST_SUFFIX, suffix_range
from callvault.calls.statements import Field, Match, Term
from callvault.calls.tallies import (
    Range,
    day_end,
    day_start,
    split_days,
    tally_key,
)
from callvault.unit_of_work import Repository, Tenant

# Up to this offset a page is read with a plain OFFSET; deeper pages first find the day the
# offset falls in from the tallies, then seek its first key with an index-only scan.
PLAIN_OFFSET_LIMIT = 300

# A phone filter first reads the user's numbers holding the digits from the suffix table (one
# key range, at most this many rows; a number may hold the digits twice); calls are then found
# by number, an index range each. A query matching more (a common area code) falls back to a
# substring test over the user's entries of ix_calls_phone_digits_newest: exact, but a scan.
MAX_PHONE_NUMBERS = 1000


@dataclass(frozen=True)
class Where:
    """The shape of a WHERE clause over ``calls`` and the values of its parameters."""

    terms: tuple[Term, ...]
    params: dict[str, Any]


_LARGEST_OFFSET = 2**63 - 1  # what the databases' OFFSET can take; no user has more rows


class CallRepository(Repository):
    """The calls of one user."""

    def __init__(self, tenant: Tenant) -> None:
        super().__init__(tenant)
        self._numbers: dict[str, tuple[str, ...] | None] = {}

    def where(self, filters: CallFilters, *, range_name: str = "") -> Where:
        """The WHERE clause of ``filters`` for this user. The date range's parameters are
        named after ``range_name``, so that several ranges can sit in one statement."""
        terms = [Term(Field.USER, Match.EQUAL, "user_id")]
        params: dict[str, Any] = {"user_id": self.user_id}
        equal = Match.EQUAL_UNINDEXED if self._steer_to_numbers(filters) else Match.EQUAL
        for field, value in (
            (Field.STATUS, filters.status),
            (Field.TYPE, filters.type),
            (Field.ASSISTANT, filters.assistant_id),
            (Field.CAMPAIGN, filters.campaign_id),
        ):
            if value is not None:
                terms.append(Term(field, equal, field.value))
                params[field.value] = value
        if filters.phone_digits is not None:
            numbers = self._phone_numbers(filters.phone_digits)
            if numbers is None:
                terms.append(Term(Field.DIGITS, Match.CONTAINS, "digits"))
                params["digits"] = filters.phone_digits
            else:
                terms.append(Term(Field.DIGITS, Match.ONE_OF, "numbers"))
                params["numbers"] = list(numbers)
        for match, bound, moment in (
            (Match.AT_LEAST, "created_from", filters.created_from),
            (Match.BEFORE, "created_before", filters.created_before),
        ):
            if moment is not None:
                terms.append(Term(Field.CREATED_AT, match, range_name + bound))
                params[range_name + bound] = moment
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
                sql.NUMBERS_HOLDING, {**params, "most": MAX_PHONE_NUMBERS + 1}
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
        return not self.backend.probes_each_value and self._by_number(filters)

    def _matches_nothing(self, filters: CallFilters) -> bool:
        """True when the phone filter alone rules out every call (no query on calls needed)."""
        digits = filters.phone_digits
        return digits is not None and self._phone_numbers(digits) == ()

    def count_rows(self, filters: CallFilters) -> int:
        """The exact number of matching calls, counted row by row (no tallies)."""
        where = self.where(filters)
        return int(self.connection.scalar(sql.count(where.terms, self.backend), where.params))

    def count(self, filters: CallFilters) -> int:
        """The exact number of matching calls, from the tallies when they can answer."""
        if self._matches_nothing(filters):
            return 0
        statement, params = self._count_query(filters)
        return int(self.connection.scalar(statement, params) or 0)

    def needs_snapshot(self, filters: CallFilters, offset: int) -> bool:
        """Whether a page takes more than one statement, which must then share a snapshot:
        the suffix table's numbers holding the digits first, or a deep page's day."""
        digits = filters.phone_digits
        looks_up = digits is not None and len(digits) >= SHORTEST_SUFFIX
        return looks_up or offset > PLAIN_OFFSET_LIMIT

    def is_deep(self, filters: CallFilters, offset: int) -> bool:
        """Whether the page is found from the tallies (``count`` then ``deep_page``) rather
        than by ``count_and_page``: past the plain offsets, unless found by number."""
        return offset > PLAIN_OFFSET_LIMIT and not self._by_number(filters)

    def count_and_page(
        self, filters: CallFilters, *, offset: int, limit: int
    ) -> tuple[int, list[Sequence[Any]]]:
        """The total and a page (the items' columns) in one statement (after the numbers
        lookup of a phone filter); a page that ``is_deep`` is read faster by ``deep_page``."""
        if self._matches_nothing(filters):
            return 0, []
        where = self.where(filters)
        if self._by_number(filters):
            statement = sql.counted_page_by_number(where.terms, self.backend)
            params = dict(where.params)
        else:
            total, params = self._count_query(filters)
            statement = sql.counted_page(total, sql.page(where.terms, self.backend))
            params.update(where.params)
        params.update(offset=min(offset, _LARGEST_OFFSET), limit=limit)
        rows = self.connection.execute(statement, params).all()
        count = int(rows[0].total or 0)
        return count, [row[1:] for row in rows if row.id is not None]  # the items' columns

    def _count_query(self, filters: CallFilters) -> tuple[Select[Any], dict[str, Any]]:
        """A one-row ``total`` for ``filters`` (phone filters included) and its parameters."""
        key = tally_key(filters)
        split = split_days(filters.created_from, filters.created_before) if key else None
        if key is None or split is None:
            where = self.where(filters)
            return sql.count(where.terms, self.backend), where.params
        params: dict[str, Any] = {"user_id": self.user_id, "key": key}
        whole_days = None
        if split.whole_days:
            whole_days = (split.first_day is not None, split.last_day is not None)
            params.update(first_day=split.first_day, last_day=split.last_day)
        edges = []
        for index, (low, high) in enumerate(split.edges):
            edge = self.where(
                replace(filters, created_from=low, created_before=high), range_name=f"e{index}_"
            )
            edges.append(edge.terms)
            params.update(edge.params)
        return sql.tallied_count(whole_days, tuple(edges), self.backend), params

    def deep_page(self, filters: CallFilters, *, offset: int, limit: int) -> Sequence[Row[Any]]:
        """A page past the plain offsets, newest first (``created_at`` then ``id``): the day
        (or edge range) holding row ``offset`` found from the tallies, then the page read
        from that day's key down."""
        where = self.where(filters)
        window, rest, size = self._jump(filters, offset)
        window_where = self.where(window, range_name="window_")
        oldest_first = False
        if size is not None and size - rest <= rest:  # nearer the window's oldest row
            oldest_first, rest = True, size - 1 - rest
        statement = sql.page_from_anchor(
            where.terms, window_where.terms, self.backend, oldest_first
        )
        params = {**where.params, **window_where.params, "rest": rest, "limit": limit}
        return self.connection.execute(statement, params).all()

    def _jump(self, filters: CallFilters, offset: int) -> tuple[CallFilters, int, int | None]:
        """A narrower window (one day, or one edge range) holding row ``offset``, the offset
        inside it and, when the tallies say, the window's number of rows. Falls back to the
        whole range when no tally answers."""
        key = tally_key(filters)
        split = split_days(filters.created_from, filters.created_before) if key else None
        if key is None or split is None or not split.whole_days:
            return filters, offset, None
        rest = offset
        if split.high_edge is not None:
            newest = self.count_rows(self._window(filters, split.high_edge))
            if rest < newest:
                return self._window(filters, split.high_edge), rest, newest
            rest -= newest
        shape = (split.first_day is not None, split.last_day is not None)
        params = {
            "user_id": self.user_id,
            "key": key,
            "first_day": split.first_day,
            "last_day": split.last_day,
        }
        found = self.connection.execute(sql.day_holding(*shape), {**params, "rest": rest}).first()
        if found is not None:
            day, before, rows = found
            window = self._window(filters, (day_start(day), day_end(day)))
            return window, rest - int(before), int(rows)
        if split.low_edge is not None:
            days_total = self.connection.scalar(sql.days_total(*shape), params)
            return self._window(filters, split.low_edge), rest - int(days_total or 0), None
        return filters, offset, None

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
            statement = sql.export_chunk(where.terms, by_number, after_last, self.backend)
            rows = self.connection.execute(statement, params).all()
            yield from rows
            if len(rows) < chunk:
                return
            after_last = True
            params.update(after_at=rows[-1].created_at, after_id=rows[-1].id)

    def get(self, call_id: int) -> Row[Any] | None:
        return self.connection.execute(
            sql.ONE_CALL, {"user_id": self.user_id, "call_id": call_id}
        ).first()

    def delete(self, call_id: int) -> bool:
        result = self.connection.execute(
            sql.DELETE_ONE, {"user_id": self.user_id, "call_id": call_id}
        )
        return bool(result.rowcount)

    def last_id(self, first: int = 1000) -> int:
        """The highest call id, or ``first`` when there is none yet (demo numbering)."""
        return int(self.connection.scalar(sql.LAST_ID, {"user_id": self.user_id}) or first)

    def insert_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert new calls (column dicts without ``user_id``) for this user."""
        if rows:
            self.connection.execute(
                insert(Call), [{**row, "user_id": self.user_id} for row in rows]
            )
