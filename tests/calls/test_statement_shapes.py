"""Statements are cached per shape: new values reuse them, so the caches cannot grow with
traffic (a value baked into a cached statement would also leak between requests)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from callvault.calls import statements
from callvault.calls.fields import ITEM_KEYS
from callvault.calls.filters import CallFilters
from callvault.calls.repository import CallRepository
from callvault.db.database import Database
from tests.conftest import Tenant

CACHES = (
    statements.count,
    statements.tallied_count,
    statements.counted_page,
    statements.page,
    statements.page_by_number,
    statements.counted_page_by_number,
    statements.anchor,
    statements.page_from_anchor,
    statements.day_holding,
)


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
    db: Database, make_tenant: Callable[[str], Tenant]
) -> None:
    tenants = [make_tenant(f"shape{i}@example.com") for i in range(2)]
    start = datetime(2025, 3, 1)
    for tenant in tenants:
        for index in range(40):
            tenant.add_call(
                status="completed" if index % 2 else "failed",
                client_phone_number=f"+1555000{index:04d}",
                created_at=start + timedelta(hours=7 * index),
            )

    def read_all(tenant: Tenant, status: str, day: datetime, digits: str) -> list[int]:
        with db.connect() as connection:
            calls = CallRepository(connection, tenant.user.id)
            found = []
            for filters in _filters(status, day, digits):
                total = calls.count(filters)
                assert calls.count_and_page(filters, offset=0, limit=3) is not None
                assert calls.count_and_page(filters, offset=0, limit=3)[0] == total  # type: ignore[index]
                found.append(total)
                for offset in (0, 5, 400):
                    found.extend(row.id for row in calls.page(filters, offset=offset, limit=3))
            return found

    read_all(tenants[0], "completed", start, "15550000001")
    before = _sizes()
    found = read_all(tenants[1], "failed", start + timedelta(days=1), "15550000012")
    assert _sizes() == before
    assert found == read_all(tenants[1], "failed", start + timedelta(days=1), "15550000012")
    assert any(found)


def test_every_page_statement_selects_the_item_columns_in_item_order() -> None:
    """Items are read by position (``call_item``): each statement that yields list items
    selects exactly ``ITEM_KEYS``, in order (the counted page puts ``total`` first)."""
    terms = (("user_id", "=", "user_id"),)
    for on_postgresql in (True, False):
        page = statements.page(terms, on_postgresql)
        yielding_items = (
            statements.ITEMS,
            statements.ONE_CALL,
            page,
            statements.page_from_anchor(terms, terms, on_postgresql, False),
            statements.page_by_number(terms, on_postgresql),
        )
        for statement in yielding_items:
            assert tuple(statement.selected_columns.keys()) == ITEM_KEYS
        counted = statements.counted_page(statements.count(terms, on_postgresql), page)
        assert tuple(counted.selected_columns.keys()) == ("total", *ITEM_KEYS)
        export = statements.export_chunk(terms, False, False, on_postgresql)
        assert tuple(export.selected_columns.keys())[: len(ITEM_KEYS)] == ITEM_KEYS
