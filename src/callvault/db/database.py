"""Engines and transactions: one transaction per write, one snapshot per read.

SQLite runs in WAL mode; its driver's own transaction handling is switched off so that
reads begin a deferred transaction and writes take ``BEGIN IMMEDIATE`` (a writer waits
for the lock up front instead of failing half-way with "database is locked").
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from callvault.config import Settings
from callvault.db.backends import Backend, backend_named
from callvault.db.json_columns import loads_stored

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
)
UNBOUNDED_WAIT = 86_400.0
"""Seconds SQLite waits for a lock when no statement timeout is set."""


@dataclass(frozen=True)
class Timeouts:
    """How long the service waits on its database before giving up (and answering 503).

    ``connect``: seconds to open a connection, or to wait for a pooled one. ``statement``:
    seconds a statement may run (PostgreSQL's ``statement_timeout``; on SQLite, how long a
    writer waits for the file's lock); 0 sets no limit.
    """

    connect: float = 5.0
    statement: float = 30.0


def _configure_sqlite(engine: Engine, busy_seconds: float) -> None:
    pragmas = (*SQLITE_PRAGMAS, f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names, made absolute; ``None`` for another backend or a
    database in memory. (Opening a SQLite file that does not exist creates it.)"""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.query.get("uri"):
        return None  # a file: URI may name anything; left to SQLite
    return Path(parsed.database).absolute()


def _postgresql_connect_args(timeouts: Timeouts | None, prepared: bool) -> dict[str, Any]:
    """libpq's connection parameters: the connect timeout, the statement timeout (sent at
    connection start, no round trip of its own), and TCP keepalives and a user timeout so
    that a connection whose peer vanished fails instead of waiting for the kernel."""
    args: dict[str, Any] = {} if prepared else {"prepare_threshold": None}
    if timeouts is None:
        return args
    connect = max(2, math.ceil(timeouts.connect))  # libpq reads whole seconds, 2 at least
    args.update(
        connect_timeout=connect,
        keepalives=1,
        keepalives_idle=connect,
        keepalives_interval=connect,
        keepalives_count=3,
        tcp_user_timeout=connect * 1000,
    )
    if timeouts.statement > 0:
        args["options"] = f"-c statement_timeout={int(timeouts.statement * 1000)}"
    return args


def _sqlite_lock_wait(timeouts: Timeouts | None) -> float:
    if timeouts is None:
        return 30.0
    return timeouts.statement if timeouts.statement > 0 else UNBOUNDED_WAIT


def create_database_engine(
    url: str,
    pool_size: int = 10,
    *,
    prepared_statements: bool = True,
    timeouts: Timeouts | None = None,
) -> Engine:
    """An engine for ``url``; SQLite files get WAL and explicit transactions.

    On PostgreSQL psycopg prepares a statement after its fifth run on a connection, which
    saves the server parsing it (and planning it, once a generic plan is as good);
    ``prepared_statements=False`` turns that off for poolers that cannot carry prepared
    statements (PgBouncer before 1.21 in transaction mode). Without ``timeouts`` (the
    migrations, whose index builds may run long) nothing is bounded but SQLite's lock wait.
    """
    parsed = make_url(url)
    pool_timeout = timeouts.connect if timeouts else 30.0
    if parsed.get_backend_name() == "sqlite":
        busy = _sqlite_lock_wait(timeouts)
        engine = create_engine(
            url,
            pool_size=pool_size,  # kept as many as the app's thread pool runs at once
            pool_timeout=pool_timeout,
            connect_args={"check_same_thread": False, "timeout": busy},
            json_deserializer=loads_stored,
            hide_parameters=True,
        )
        _configure_sqlite(engine, busy)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=pool_timeout,
        pool_pre_ping=True,
        json_deserializer=loads_stored,
        hide_parameters=True,
        connect_args=_postgresql_connect_args(timeouts, prepared_statements),
    )


class Database:
    """Owns the engine and its backend; opens the transactions that units of work
    (``callvault.unit_of_work``) run in."""

    def __init__(
        self,
        url: str,
        pool_size: int = 10,
        *,
        prepared_statements: bool = True,
        timeouts: Timeouts | None = None,
    ) -> None:
        self.engine = create_database_engine(
            url, pool_size, prepared_statements=prepared_statements, timeouts=timeouts
        )
        self.backend: Backend = backend_named(self.engine.dialect.name)
        write_engine: Engine
        if self.backend.name == "sqlite":
            connect_engine = self.engine
            write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        else:
            # One statement is one snapshot already: no BEGIN/ROLLBACK round trips.
            connect_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
            write_engine = self.engine
        self._connect_engine = connect_engine
        self._writer = sessionmaker(write_engine, expire_on_commit=False)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A Core connection for reads: the hot path, with no ORM session to set up and no
        entities to track. On PostgreSQL it is autocommit, each statement its own snapshot;
        statements that must agree with each other run inside ``Backend.snapshot``. On
        SQLite the whole connection reads one snapshot (a deferred transaction)."""
        with self._connect_engine.connect() as connection:
            yield connection

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session that commits at the end, or rolls back if anything raised."""
        with self._writer() as session, session.begin():
            yield session

    def ping(self) -> None:
        """One ``SELECT 1`` on a pooled read connection; raises if the database is down."""
        with self.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def database_of(settings: Settings, pool_size: int) -> Database:
    """The service's database as ``settings`` describe it, timeouts included."""
    return Database(
        settings.database_url,
        pool_size,
        prepared_statements=settings.db_prepared_statements,
        timeouts=Timeouts(settings.db_connect_timeout, settings.db_statement_timeout),
    )
