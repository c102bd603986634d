"""What differs between SQLite and PostgreSQL, in one place; chosen once per ``Database``.

Statement builders and repositories ask the backend instead of checking the dialect's name.
A ``Backend`` is a hashable singleton, so cached statement shapes can key on it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Insert,
    String,
    any_,
    bindparam,
    func,
    text,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.selectable import TableValuedAlias

_TEXTS = postgresql.ARRAY(String())
_IDS = postgresql.ARRAY(BigInteger())

NAMES_LOCK = 20261206
"""Advisory lock class of "this user is creating assistants or campaigns" (PostgreSQL)."""


class Backend(ABC):
    """The SQLite/PostgreSQL differences the repositories rely on."""

    name: ClassVar[str]
    webhook_writers: ClassVar[int]
    """Group-commit writers worth running at once (one writer at a time on SQLite)."""
    probes_each_value: ClassVar[bool]
    """A list parameter is unnested and probed value by value (PostgreSQL), rather than
    matched with ``IN`` (SQLite, whose planner must then be steered off other indexes)."""
    copies_in_bulk: ClassVar[bool]
    """Bulk inserts go through ``COPY`` into a staging table (else one ``executemany``)."""

    @abstractmethod
    def one_of(self, column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
        """``column`` equals one of the list bound as ``name``."""

    @abstractmethod
    def ids_in(self, column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
        """``column`` is one of the integer ids bound as ``name``."""

    def unindexed(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        """The same value, in a form no index serves (where the planner must not use one)."""
        return column

    def unnested(self, name: str, alias: str, column: str) -> TableValuedAlias:
        """The list bound as ``name`` as a table ``alias`` of one ``column`` (when
        ``probes_each_value``)."""
        raise NotImplementedError

    @abstractmethod
    def newest_first_unindexed(
        self, created_at: ColumnElement[Any], call_id: ColumnElement[Any]
    ) -> tuple[ColumnElement[Any], ...]:
        """Newest first, in a form no index provides (sort the matches, don't walk)."""

    @abstractmethod
    def insert_ignoring_conflicts(self, table: Any) -> Insert:
        """``INSERT … ON CONFLICT DO NOTHING`` into ``table``."""

    @contextmanager
    def snapshot(self, connection: Connection) -> Iterator[None]:
        """The block's statements on a read connection see one snapshot."""
        yield

    @abstractmethod
    def lock_names(self, connection: Connection, user_id: int) -> None:
        """Serialise, until the transaction ends, writers creating the user's assistants or
        campaigns, so that two never pick the same new id or create the same name twice."""

    @abstractmethod
    def refresh_statistics(self, connection: Connection) -> None:
        """Planner statistics of ``calls``, for bulk loaders whose table grows under them."""

    @abstractmethod
    def analyzed_rows(self, connection: Connection) -> int | None:
        """How many rows ``calls`` held when its statistics were last taken (None: never)."""


class SQLiteBackend(Backend):
    """One writer at a time (``BEGIN IMMEDIATE``); a read connection is one snapshot."""

    name = "sqlite"
    webhook_writers = 1
    probes_each_value = False
    copies_in_bulk = False

    def one_of(self, column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
        return column.in_(bindparam(name, expanding=True))

    def ids_in(self, column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
        return self.one_of(column, name)  # an expanding IN serves any type

    def unindexed(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        """SQLite's unary ``+``."""
        return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)

    def newest_first_unindexed(
        self, created_at: ColumnElement[Any], call_id: ColumnElement[Any]
    ) -> tuple[ColumnElement[Any], ...]:
        return (self.unindexed(created_at).desc(), self.unindexed(call_id).desc())

    def insert_ignoring_conflicts(self, table: Any) -> Insert:
        return sqlite.insert(table).on_conflict_do_nothing()

    def lock_names(self, connection: Connection, user_id: int) -> None:
        """Nothing to take: a write unit holds SQLite's only write lock from its start."""

    def refresh_statistics(self, connection: Connection) -> None:
        """``ANALYZE calls`` into ``sqlite_stat1`` (a full pass: a sampled one, with
        ``analysis_limit``, sees one user and one type and misjudges every index)."""
        connection.execute(text("ANALYZE calls"))

    def analyzed_rows(self, connection: Connection) -> int | None:
        """The row count ``sqlite_stat1`` holds for the calls' primary key."""
        if connection.scalar(text(_SQLITE_HAS_STAT1)) is None:
            return None
        stat = connection.scalar(text(_SQLITE_CALLS_STAT))
        return int(stat.split()[0]) if stat else None


class PostgreSQLBackend(Backend):
    """Concurrent writers; reads on autocommit connections, snapshots on demand."""

    name = "postgresql"
    webhook_writers = 2
    probes_each_value = True
    copies_in_bulk = True

    def one_of(self, column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
        return column == any_(bindparam(name, type_=_TEXTS))

    def ids_in(self, column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
        """One statement whatever the number of ids: they travel as a single array."""
        return column == any_(bindparam(name, type_=_IDS))

    def newest_first_unindexed(
        self, created_at: ColumnElement[Any], call_id: ColumnElement[Any]
    ) -> tuple[ColumnElement[Any], ...]:
        return (tuple_(created_at, call_id).desc(),)

    def unnested(self, name: str, alias: str, column: str) -> TableValuedAlias:
        values = func.unnest(bindparam(name, type_=_TEXTS))
        return values.table_valued(column).render_derived(name=alias)

    def insert_ignoring_conflicts(self, table: Any) -> Insert:
        return postgresql.insert(table).on_conflict_do_nothing()

    @contextmanager
    def snapshot(self, connection: Connection) -> Iterator[None]:
        """A REPEATABLE READ transaction, committed at the end (read-only: the same as a
        rollback, but psycopg keeps its prepared statements), after which the connection is
        autocommit again."""
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            raise ValueError("a snapshot needs a read connection (Database.connect)")
        connection.commit()  # ends the autocommit connection's bookkeeping-only transaction
        connection.execution_options(isolation_level="REPEATABLE READ")
        try:
            with connection.begin():
                yield
        finally:
            connection.execution_options(isolation_level="AUTOCOMMIT")

    def lock_names(self, connection: Connection, user_id: int) -> None:
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:lock_class, :key)"),
            {"lock_class": NAMES_LOCK, "key": user_id % 2147483647},
        )

    def refresh_statistics(self, connection: Connection) -> None:
        """``ANALYZE calls``: table-wide statistics (no tenant's rows are read or returned).
        Without them (autovacuum off, or not yet run) the planner treats a grown ``calls`` as
        empty and locks existing calls by scanning all of a user's rows instead of keys."""
        connection.execute(text("ANALYZE calls"))

    def analyzed_rows(self, connection: Connection) -> int | None:
        """``pg_class.reltuples`` (-1 before the first ANALYZE or VACUUM)."""
        rows = connection.scalar(text(_POSTGRESQL_CALLS_TUPLES))
        return None if rows is None or rows < 0 else int(rows)


_POSTGRESQL_CALLS_TUPLES = "SELECT reltuples FROM pg_class WHERE oid = 'calls'::regclass"
_SQLITE_HAS_STAT1 = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
_SQLITE_CALLS_STAT = (
    "SELECT stat FROM sqlite_stat1 WHERE tbl = 'calls' AND idx = 'sqlite_autoindex_calls_1'"
)

SQLITE = SQLiteBackend()
POSTGRESQL = PostgreSQLBackend()


def backend_named(dialect_name: str) -> Backend:
    return SQLITE if dialect_name == "sqlite" else POSTGRESQL
