"""The write side of ingesting calls, built for one tenant: there is no unscoped statement.

Only plain ``SELECT … FOR UPDATE``, ``INSERT`` (``… ON CONFLICT DO NOTHING``, or from a
``COPY``-filled staging table) and ``UPDATE`` by key, so the tally triggers on ``calls`` see
every change (SQLite's bulk insert counts its rows itself, see ``_executemany_new``). The
merge rule lives in ``callvault.ingest.merge``; this module only reads, inserts and updates.
"""

# ruff: noqa: S608  (every SQL string here is assembled from constants)

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Dialect, Table, bindparam, select, update
from sqlalchemy.dialects import postgresql

from callvault.calls.fields import CALL_COLUMNS
from callvault.calls.models import Call
from callvault.calls.tally_sql import TALLIED_COLUMNS, sqlite_insert_counts
from callvault.unit_of_work import Repository

UPSERT_COLUMNS: tuple[str, ...] = (*CALL_COLUMNS, "client_phone_digits")
LOCK_CHUNK = 500
COPY_FROM = 64
"""Batches at least this large go through the bulk paths (``COPY`` / ``executemany``)."""

BULK_CACHE_KIB = 65536
"""SQLite page cache of a connection once it has done a bulk insert (it is per connection)."""
_SIZE = re.compile(r"\(\d+\)")
_JSON_COLUMNS = frozenset({"variables", "evaluation", "webhook_response"})
_STORED = ("user_id", "id", *UPSERT_COLUMNS)
_STAGE_CREATE = (
    "CREATE TEMP TABLE IF NOT EXISTS calls_incoming "
    "(LIKE calls INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
)
_STAGE_COPY = f"COPY calls_incoming ({', '.join(_STORED)}) FROM STDIN"
_STAGE_MOVE = (
    f"INSERT INTO calls ({', '.join(_STORED)}) SELECT {', '.join(_STORED)} "
    "FROM calls_incoming ORDER BY id ON CONFLICT DO NOTHING RETURNING id"
)
_SQLITE_INSERT = (
    f"INSERT INTO calls ({', '.join(_STORED)}) VALUES ({', '.join('?' for _ in _STORED)})"
)

_SQLITE_COUNT_INSERTED = (
    f"WITH inserted AS (SELECT {', '.join(TALLIED_COLUMNS)} "
    "FROM calls WHERE user_id = ? AND id IN (SELECT value FROM json_each(?))) "
    f"{sqlite_insert_counts('inserted')} "
    "ON CONFLICT (user_id, key, day) DO UPDATE SET n = n + excluded.n"
)


def _copy_values(user_id: int, row: dict[str, Any]) -> tuple[Any, ...]:
    """A row for ``COPY``: JSON columns as JSON text, everything else as psycopg dumps it."""
    return (
        user_id,
        row["id"],
        *(
            json.dumps(row[c]) if c in _JSON_COLUMNS and row[c] is not None else row[c]
            for c in UPSERT_COLUMNS
        ),
    )


def _sqlite_processors(dialect: Dialect) -> list[tuple[str, Callable[[Any], Any] | None]]:
    """Each column with the conversion SQLAlchemy itself applies before SQLite sees a value."""
    columns = Call.__table__.c
    return [
        (name, columns[name].type.dialect_impl(dialect).bind_processor(dialect))
        for name in UPSERT_COLUMNS
    ]


class CallUpsert(Repository):
    """Insert-or-update of one user's calls, row values computed by the caller."""

    def lock_existing(self, call_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """The stored columns of those calls that exist, locked until the end of the unit."""
        ids = sorted(set(call_ids))
        if not ids:
            return {}
        columns = [getattr(Call, name) for name in UPSERT_COLUMNS]
        statement = (
            select(Call.id, *columns)
            .where(Call.user_id == self.user_id, self.backend.ids_in(Call.id.expression, "ids"))
            .order_by(Call.id)
            .with_for_update()
        )
        # Chunks bound the expanded IN lists of SQLite; PostgreSQL binds one array.
        chunk = LOCK_CHUNK if not self.backend.probes_each_value else len(ids)
        found: dict[int, dict[str, Any]] = {}
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            for row in self.connection.execute(statement, {"ids": part}):
                values = row._asdict()
                found[values.pop("id")] = values
        return found

    def insert_new(self, rows: Sequence[dict[str, Any]]) -> set[int]:
        """Insert calls whose ids looked free; returns the ids really inserted (a concurrent
        writer may have taken some in between)."""
        if not rows:
            return set()
        if len(rows) >= COPY_FROM:
            return (
                self._copy_new(rows) if self.backend.copies_in_bulk else self._executemany_new(rows)
            )
        table = Call.__table__
        statement = self.backend.insert_ignoring_conflicts(table).returning(table.c.id)
        parameters = [
            {"user_id": self.user_id, "id": row["id"], **{c: row[c] for c in UPSERT_COLUMNS}}
            for row in rows
        ]
        result = self.connection.execute(statement, parameters)
        return set(result.scalars())

    def _copy_new(self, rows: Sequence[dict[str, Any]]) -> set[int]:
        """PostgreSQL: ``COPY`` into a session-private staging table, then one
        ``INSERT … SELECT … ON CONFLICT DO NOTHING`` (the tally triggers fire once)."""
        connection = self.connection
        connection.exec_driver_sql(_STAGE_CREATE)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(_STAGE_COPY) as copy:
                for row in rows:
                    copy.write_row(_copy_values(self.user_id, row))
        finally:
            cursor.close()
        inserted = connection.exec_driver_sql(_STAGE_MOVE).scalars()
        ids = set(inserted)
        connection.exec_driver_sql("TRUNCATE calls_incoming")
        return ids

    def _executemany_new(self, rows: Sequence[dict[str, Any]]) -> set[int]:
        """SQLite: one prepared ``INSERT`` run over all rows by the driver, counted at once.

        SQLite has a single writer and this unit of work holds the write lock since
        ``lock_existing`` looked, so every id that looked free is still free. The per-row
        tally trigger is paused for the insert and the rows counted by one grouped
        statement instead (migration 0004); the pause never outlives this unit of work.
        """
        processors = _sqlite_processors(self.connection.dialect)
        parameters = [
            (
                self.user_id,
                row["id"],
                *(
                    None if (value := row[c]) is None else convert(value) if convert else value
                    for c, convert in processors
                ),
            )
            for row in rows
        ]
        ids = [row["id"] for row in rows]
        connection = self.connection
        # Inserts land all over six indexes; SQLite's default 2 MiB page cache thrashes.
        connection.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        connection.exec_driver_sql("INSERT INTO call_counts_paused (paused) VALUES (1)")
        try:
            connection.exec_driver_sql(_SQLITE_INSERT, parameters)
            connection.exec_driver_sql(_SQLITE_COUNT_INSERTED, (self.user_id, json.dumps(ids)))
        finally:
            connection.exec_driver_sql("DELETE FROM call_counts_paused")
        return set(ids)

    def update_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Overwrite the columns of existing calls (each row has ``id`` and every column)."""
        if not rows:
            return
        if self.backend.copies_in_bulk:
            self._update_from_arrays(rows)
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
        self.connection.execute(statement, parameters)

    def _update_from_arrays(self, rows: Sequence[dict[str, Any]]) -> None:
        """PostgreSQL: one ``UPDATE … FROM unnest(arrays)`` for the whole batch, so the
        statement-level tally trigger runs once instead of once per row."""
        parameters: dict[str, Any] = {"user_id": self.user_id, "ids": [row["id"] for row in rows]}
        for column in UPSERT_COLUMNS:
            parameters[column] = [
                json.dumps(row[column])
                if column in _JSON_COLUMNS and row[column] is not None
                else row[column]
                for row in rows
            ]
        self.connection.exec_driver_sql(_PG_UPDATE, parameters)


def _update_statement() -> str:
    """``UPDATE calls … FROM unnest(%(ids)s, %(column)s …)`` with each array cast to its type."""
    columns = Call.__table__.c
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    # Unsized element types: an over-long value then fails on assignment instead of being
    # silently cut by the cast (validation keeps them short anyway).
    unsized = {name: _SIZE.sub("", columns[name].type.compile(dialect)) for name in UPSERT_COLUMNS}
    arrays = ", ".join(f"%({name})s::{unsized[name]}[]" for name in UPSERT_COLUMNS)
    assignments = ", ".join(f"{name} = incoming.{name}" for name in UPSERT_COLUMNS)
    return (
        f"UPDATE calls SET {assignments} "
        f"FROM unnest(%(ids)s::BIGINT[], {arrays}) AS incoming (id, {', '.join(UPSERT_COLUMNS)}) "
        "WHERE calls.user_id = %(user_id)s AND calls.id = incoming.id"
    )


_PG_UPDATE = _update_statement()
