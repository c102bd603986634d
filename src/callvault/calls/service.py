"""The rules of reading and deleting calls; raises domain errors, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from callvault.calls.repository import CallRepository
from callvault.calls.schemas import CallListQuery
from callvault.db.database import snapshot
from callvault.errors import NotFound


@dataclass(frozen=True)
class CallPage:
    total: int
    rows: list[Sequence[Any]]
    """Each row: the item's columns in ``ITEM_KEYS`` order."""


def list_calls(connection: Connection, user_id: int, query: CallListQuery) -> CallPage:
    """The total and the page, from one snapshot: a single statement when one can say both,
    a snapshot transaction when a phone filter's numbers or a deep page's day come first."""
    repository = CallRepository(connection, user_id)
    filters, limit = query.filters, query.per_page
    offset = (query.page - 1) * limit
    if not repository.looks_up_numbers(filters):
        counted = repository.count_and_page(filters, offset=offset, limit=limit)
        if counted is not None:
            return CallPage(*counted)
    with snapshot(connection):
        counted = repository.count_and_page(filters, offset=offset, limit=limit)
        if counted is not None:
            return CallPage(*counted)
        total = repository.count(filters)
        if offset >= total:
            return CallPage(total, [])
        rows = repository.page(filters, offset=offset, limit=limit)
    return CallPage(total, list(rows))


def call_not_found(raw_id: str) -> NotFound:
    """Laravel's ``findOrFail`` message; identical for a missing call and another user's."""
    return NotFound(f"No query results for model [App\\Models\\Call] {raw_id}")


def get_call(connection: Connection, user_id: int, raw_id: str, call_id: int | None) -> Row[Any]:
    row = CallRepository(connection, user_id).get(call_id) if call_id is not None else None
    if row is None:
        raise call_not_found(raw_id)
    return row


def delete_call(session: Session, user_id: int, raw_id: str, call_id: int | None) -> None:
    if call_id is None or not CallRepository(session.connection(), user_id).delete(call_id):
        raise call_not_found(raw_id)


def add_calls(session: Session, user_id: int, rows: Sequence[dict[str, Any]]) -> None:
    """Store brand-new calls (ids must be free) in bulk."""
    CallRepository(session.connection(), user_id).insert_many(rows)
