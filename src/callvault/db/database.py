"""Engines and units of work: one transaction per request or CLI command.

SQLite runs in WAL mode; its driver's own transaction handling is switched off so that
reads begin a deferred transaction and writes take ``BEGIN IMMEDIATE`` (a writer waits
for the lock up front instead of failing half-way with "database is locked").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from callvault.db.json_columns import loads_stored

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def create_database_engine(
    url: str, pool_size: int = 10, *, prepared_statements: bool = True
) -> Engine:
    """An engine for ``url``; SQLite files get WAL and explicit transactions.

    On PostgreSQL psycopg prepares a statement after its fifth run on a connection, which
    saves the server parsing and planning it again; ``prepared_statements=False`` turns
    that off for poolers that cannot carry prepared statements (PgBouncer before 1.21 in
    transaction mode).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            json_deserializer=loads_stored,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        json_deserializer=loads_stored,
        connect_args={} if prepared_statements else {"prepare_threshold": None},
    )


class Database:
    """Owns the engine; hands out read and write units of work."""

    def __init__(self, url: str, pool_size: int = 10, *, prepared_statements: bool = True) -> None:
        self.engine = create_database_engine(
            url, pool_size, prepared_statements=prepared_statements
        )
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        read_engine: Engine
        write_engine: Engine
        if self.is_sqlite:
            read_engine = connect_engine = self.engine
            write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        else:
            # A count and its page must come from one snapshot.
            read_engine = self.engine.execution_options(isolation_level="REPEATABLE READ")
            # One statement is one snapshot already: no BEGIN/ROLLBACK round trips.
            connect_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
            write_engine = self.engine
        self._connect_engine = connect_engine
        self._reader = sessionmaker(read_engine, expire_on_commit=False)
        self._writer = sessionmaker(write_engine, expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work in one snapshot (rolled back at the end)."""
        with self._reader() as session:
            yield session

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A Core connection for reads: the hot path, with no ORM session to set up and no
        entities to track. Each statement sees one snapshot; statements that must agree
        with each other run inside ``snapshot(connection)``."""
        with self._connect_engine.connect() as connection:
            yield connection

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A unit of work that commits at the end, or rolls back if anything raised."""
        with self._writer() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def snapshot(connection: Connection) -> Iterator[None]:
    """The block's statements on ``connection`` (from ``Database.connect``) see one snapshot.

    On PostgreSQL a REPEATABLE READ transaction (the connection's isolation returns to the
    pool's default when it is released); a SQLite read already holds one transaction.
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    connection.commit()  # ends the autocommit connection's bookkeeping-only transaction
    with connection.execution_options(isolation_level="REPEATABLE READ").begin():
        yield
