"""The rules of reading and deleting calls; raises domain errors, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Row

from callvault.calls.filters import CallFilters
from callvault.calls.repository import CallRepository
from callvault.calls.schemas import CallListQuery
from callvault.errors import NotFound
from callvault.unit_of_work import Tenant


@dataclass(frozen=True)
class CallPage:
    total: int
    rows: list[Sequence[Any]]
    """Each row: the item's columns in ``ITEM_KEYS`` order."""


def list_calls(tenant: Tenant, query: CallListQuery) -> CallPage:
    """The total and the page, from one snapshot: a single statement when one can say both,
    a snapshot when a phone filter's numbers or a deep page's day come first."""
    calls = CallRepository.of(tenant)
    filters, limit = query.filters, query.per_page
    offset = (query.page - 1) * limit
    if not calls.needs_snapshot(filters, offset):
        return CallPage(*calls.count_and_page(filters, offset=offset, limit=limit))
    with tenant.snapshot():
        if not calls.is_deep(filters, offset):
            return CallPage(*calls.count_and_page(filters, offset=offset, limit=limit))
        total = calls.count(filters)
        if offset >= total:
            return CallPage(total, [])
        return CallPage(total, list(calls.deep_page(filters, offset=offset, limit=limit)))


def count_calls(tenant: Tenant) -> int:
    """How many calls the tenant has (from the tallies)."""
    return CallRepository.of(tenant).count(CallFilters())


def call_not_found(raw_id: str) -> NotFound:
    """Laravel's ``findOrFail`` message; identical for a missing call and another user's."""
    return NotFound(f"No query results for model [App\\Models\\Call] {raw_id}")


def get_call(tenant: Tenant, raw_id: str, call_id: int | None) -> Row[Any]:
    row = CallRepository.of(tenant).get(call_id) if call_id is not None else None
    if row is None:
        raise call_not_found(raw_id)
    return row


def delete_call(tenant: Tenant, raw_id: str, call_id: int | None) -> None:
    if call_id is None or not CallRepository.of(tenant).delete(call_id):
        raise call_not_found(raw_id)


def add_calls(tenant: Tenant, rows: Sequence[dict[str, Any]]) -> None:
    """Store brand-new calls (ids must be free) in bulk."""
    CallRepository.of(tenant).insert_many(rows)
