"""The write side of ingesting calls, built for one tenant: there is no unscoped statement.

Only plain ``SELECT … FOR UPDATE``, ``INSERT … ON CONFLICT DO NOTHING`` and ``UPDATE`` by
key, so database triggers on ``calls`` see every change. The merge rule itself lives in
``callvault.ingest.merge``; this module only reads, inserts and updates rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Insert, Table, bindparam, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from callvault.calls.fields import CALL_COLUMNS
from callvault.calls.models import Call

UPSERT_COLUMNS: tuple[str, ...] = (*CALL_COLUMNS, "client_phone_digits")
LOCK_CHUNK = 500


def insert_ignoring_conflicts(session: Session, table: Any) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` in the session's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def refresh_statistics(session: Session) -> None:
    """``ANALYZE calls`` on PostgreSQL, for bulk loaders whose table grows under them.

    Planner statistics are table-wide (no tenant's rows are read or returned). Without
    them (autovacuum off, or not yet run) the planner treats a grown ``calls`` as empty and
    answers ``lock_existing`` by scanning all of a user's calls instead of their keys.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE calls"))


class CallUpsert:
    """Insert-or-update of one user's calls, row values computed by the caller."""

    def __init__(self, session: Session, user_id: int) -> None:
        self.session = session
        self.user_id = user_id

    def lock_existing(self, call_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """The stored columns of those calls that exist, locked until the end of the unit."""
        ids = sorted(set(call_ids))
        found: dict[int, dict[str, Any]] = {}
        columns = [getattr(Call, name) for name in UPSERT_COLUMNS]
        for start in range(0, len(ids), LOCK_CHUNK):
            statement = (
                select(Call.id, *columns)
                .where(Call.user_id == self.user_id, Call.id.in_(ids[start : start + LOCK_CHUNK]))
                .order_by(Call.id)
                .with_for_update()
            )
            for row in self.session.execute(statement):
                values = row._asdict()
                found[values.pop("id")] = values
        return found

    def insert_new(self, rows: Sequence[dict[str, Any]]) -> set[int]:
        """Insert calls whose ids looked free; returns the ids really inserted (a concurrent
        writer may have taken some in between)."""
        if not rows:
            return set()
        table = Call.__table__
        statement = insert_ignoring_conflicts(self.session, table).returning(table.c.id)
        parameters = [
            {"user_id": self.user_id, "id": row["id"], **{c: row[c] for c in UPSERT_COLUMNS}}
            for row in rows
        ]
        # Core, not the ORM's bulk insert: one multi-row statement per 1,000 rows.
        result = self.session.connection().execute(statement, parameters)
        return set(result.scalars())

    def update_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Overwrite the columns of existing calls (each row has ``id`` and every column)."""
        if not rows:
            return
        table = Call.__table__
        assert isinstance(table, Table)
        statement = (
            update(table)
            .where(table.c.user_id == self.user_id, table.c.id == bindparam("call_id"))
            .values({c: bindparam(f"new_{c}") for c in UPSERT_COLUMNS})
        )
        parameters = [
            {"call_id": row["id"], **{f"new_{c}": row[c] for c in UPSERT_COLUMNS}} for row in rows
        ]
        self.session.execute(statement, parameters)
