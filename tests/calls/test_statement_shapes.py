"""Statements are cached per shape: new values reuse them, so the caches cannot grow with
traffic (a value baked into a cached statement would also leak between requests)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from callvault.calls import repository as repository_module
from callvault.calls import service, statements
from callvault.calls.fields import ITEM_KEYS
from callvault.calls.filters import CallFilters
from callvault.calls.repository import CallRepository
from callvault.calls.schemas import CallListQuery
from callvault.calls.statements import Field, Match, Term
from callvault.db.backends import POSTGRESQL, SQLITE
from callvault.db.database import Database
from tests.calls.test_tallies import _expected
from tests.conftest import Tenant

CACHES = (
    statements.count,
    statements.tallied_count,
    statements.counted_page,
    statements.page,
    statements.counted_page_by_number,
    statements.anchor,
    statements.page_from_anchor,
    statements.day_holding,
    statements.export_chunk,
)
START = datetime(2025, 3, 1)
PER_PAGE = 3


def _sizes() -> list[int]:
    return [cache.cache_info().currsize for cache in CACHES]


def _filters(status: str, day: datetime, digits: str) -> list[CallFilters]:
    return [
        CallFilters(status=status),
        CallFilters(status=status, created_from=day, created_before=day + timedelta(days=3)),
        CallFilters(created_from=day + timedelta(hours=5), created_before=day + timedelta(days=2)),
        CallFilters(phone_digits=digits),
        CallFilters(type="inbound", phone_digits=digits[-4:]),
    ]


def test_new_values_reuse_the_cached_statements(
    db: Database, make_tenant: Callable[[str], Tenant], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two users whose calls are alike up to a day's shift, read with other values (their
    own status, day and number) through every page, deep ones included, and the export:
    the second reads only shapes the first built, and gets its own rows."""
    monkeypatch.setattr(repository_module, "PLAIN_OFFSET_LIMIT", PER_PAGE)
    tenants = [make_tenant(f"shape{i}@example.com") for i in range(2)]
    statuses = ("completed", "failed")
    stored: list[list[dict[str, Any]]] = []
    for shift, tenant in enumerate(tenants):
        stored.append(
            [
                tenant.add_call(
                    status=statuses[(index + shift) % 2],
                    client_phone_number=f"+1555000{index:04d}",
                    assistant_id=None,
                    campaign_id=None,
                    created_at=START + timedelta(days=shift, hours=7 * index),
                )
                for index in range(40)
            ]
        )

    def read_all(tenant: Tenant, status: str, day: datetime, digits: str) -> list[Any]:
        """Each filter's total, every page's rows (one past the end too) and the export."""
        found: list[Any] = []
        with tenant.read() as view:
            for filters in _filters(status, day, digits):
                total = CallRepository.of(view).count(filters)
                found.append(total)
                for page in range(1, total // PER_PAGE + 3):
                    query = CallListQuery(filters, page=page, per_page=PER_PAGE)
                    listed = service.list_calls(view, query)
                    assert listed.total == total
                    items = [dict(zip(ITEM_KEYS, row, strict=True)) for row in listed.rows]
                    found.append([(item["id"], item["created_at"]) for item in items])
                exported = CallRepository.of(view).newest_first(filters, chunk=2)
                found.append([(row.id, row.created_at) for row in exported])
        return found

    def expected(rows: list[dict[str, Any]], status: str, day: datetime, digits: str) -> list[Any]:
        created = {row["id"]: row["created_at"] for row in rows}
        found: list[Any] = []
        for filters in _filters(status, day, digits):
            keys = [(call_id, created[call_id]) for call_id in _expected(rows, filters)]
            found.append(len(keys))
            for page in range(1, len(keys) // PER_PAGE + 3):
                found.append(keys[(page - 1) * PER_PAGE : page * PER_PAGE])
            found.append(keys)
        return found

    first = ("completed", START, "15550000001")
    assert read_all(tenants[0], *first) == expected(stored[0], *first)
    before = _sizes()
    second = ("failed", START + timedelta(days=1), "15550000012")
    assert read_all(tenants[1], *second) == expected(stored[1], *second)
    assert _sizes() == before
    assert all(before)


def test_every_page_statement_selects_the_item_columns_in_item_order() -> None:
    """Items are read by position (``call_item``): each statement that yields list items
    selects exactly ``ITEM_KEYS``, in order (the counted pages put ``total`` first)."""
    terms = (Term(Field.USER, Match.EQUAL, "user_id"),)
    by_number = (*terms, Term(Field.DIGITS, Match.ONE_OF, "numbers"))
    for backend in (SQLITE, POSTGRESQL):
        page = statements.page(terms, backend)
        yielding_items = (
            statements.ITEMS,
            statements.ONE_CALL,
            page,
            statements.page_from_anchor(terms, terms, backend, False),
            statements.page_from_anchor(terms, terms, backend, True),
        )
        for statement in yielding_items:
            assert tuple(statement.selected_columns.keys()) == ITEM_KEYS
        for counted in (
            statements.counted_page(statements.count(terms, backend), page),
            statements.counted_page_by_number(by_number, backend),
        ):
            assert tuple(counted.selected_columns.keys()) == ("total", *ITEM_KEYS)
        for chosen, found_by_number in ((terms, False), (by_number, True)):
            for after_last in (False, True):
                export = statements.export_chunk(chosen, found_by_number, after_last, backend)
                assert tuple(export.selected_columns.keys())[: len(ITEM_KEYS)] == ITEM_KEYS
