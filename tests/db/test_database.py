"""Units of work: what each kind of read sees, and prepared statements on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from callvault.calls.filters import CallFilters
from callvault.calls.repository import CallRepository
from callvault.db.database import Database
from callvault.unit_of_work import Tenant as TenantView
from callvault.unit_of_work import writing
from tests.conftest import Tenant, tenant_read, tenant_write

COUNT = text("SELECT count(*) FROM calls WHERE user_id = :u")
EVERY_CALL = CallFilters()


def _count(database: Database, user_id: int) -> int:
    with database.connect() as connection:
        return int(connection.scalar(COUNT, {"u": user_id}) or 0)


def _seen(view: TenantView) -> tuple[int, int]:
    """The view's calls counted row by row and from the tallies."""
    return CallRepository.of(view).count_rows(EVERY_CALL), CallRepository.of(view).count(EVERY_CALL)


def test_a_snapshot_keeps_its_view_while_others_commit(db: Database, tenant: Tenant) -> None:
    user_id = tenant.user.id
    tenant.add_call(id=1)
    with tenant.read() as view:
        CallRepository.of(view).get(1)  # a read before, as the token lookup does
        with view.snapshot():
            before = _seen(view)
            tenant.add_call(id=2)  # committed by another connection
            assert _seen(view) == before == (1, 1)
    assert _count(db, user_id) == 2
    with tenant.read() as view:
        assert _seen(view) == (2, 2)


def test_after_a_snapshot_the_connection_is_autocommit_again(db: Database, tenant: Tenant) -> None:
    with tenant.read() as view:
        with view.snapshot():
            assert _seen(view) == (0, 0)
        assert _seen(view) == (0, 0)
        tenant.add_call(id=1)
        expected = 0 if db.backend.name == "sqlite" else 1
        assert _seen(view) == (expected, expected)


def test_a_snapshot_needs_a_read_connection(db: Database, tenant: Tenant) -> None:
    with tenant_write(db, tenant.user.id) as view:
        if db.backend.name == "sqlite":
            with view.snapshot():
                pass  # a SQLite read or write is one transaction already
        else:
            with pytest.raises(ValueError, match=r"Database\.connect"), view.snapshot():
                pass
        assert CallRepository.of(view).count_rows(EVERY_CALL) == 0  # the write unit still works


def test_statements_outside_a_snapshot_see_every_commit_on_postgresql(
    db: Database, tenant: Tenant
) -> None:
    """Autocommit on PostgreSQL (each statement its own snapshot); SQLite's read is one
    deferred transaction from its first statement."""
    user_id = tenant.user.id
    tenant.add_call(id=1)
    with tenant_read(db, user_id) as view:
        assert _seen(view) == (1, 1)
        tenant.add_call(id=2)
        expected = 1 if db.backend.name == "sqlite" else 2
        assert _seen(view) == (expected, expected)


def _prepared_after_runs(url: str, *, prepared_statements: bool) -> int:
    """How many statements the server holds prepared for a connection that ran one
    statement ten times."""
    database = Database(url, pool_size=1, prepared_statements=prepared_statements)
    try:
        with database.connect() as connection:
            for _ in range(10):
                connection.scalar(COUNT, {"u": 1})
            return int(connection.scalar(text("SELECT count(*) FROM pg_prepared_statements")))
    finally:
        database.dispose()


def test_repeated_statements_are_prepared_unless_switched_off(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("psycopg's setting: SQLite's driver keeps its own statement cache")
    assert _prepared_after_runs(database_url, prepared_statements=True) >= 1
    assert _prepared_after_runs(database_url, prepared_statements=False) == 0


def test_reads_keep_the_prepared_statements(database_url: str) -> None:
    """A ROLLBACK makes psycopg deallocate them all; a read unit's snapshot and a read
    session commit instead."""
    if database_url.startswith("sqlite"):
        pytest.skip("psycopg's prepared statements")
    database = Database(database_url, pool_size=1)
    held = text("SELECT count(*) FROM pg_prepared_statements")
    try:
        with tenant_read(database, 1) as view:
            for _ in range(10):
                CallRepository.of(view).count_rows(EVERY_CALL)
            before = CallRepository.of(view).connection.scalar(held)
            with view.snapshot():
                CallRepository.of(view).count_rows(EVERY_CALL)
        with writing(database) as unit:  # a unit that commits keeps them too
            unit.session.execute(text("SELECT 1"))
        with database.connect() as connection:  # the pool's only connection again
            assert before
            assert connection.scalar(held) == before
    finally:
        database.dispose()
