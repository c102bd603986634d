"""Database failures told without the data they carry, for log lines.

PostgreSQL quotes values in its messages: ``DETAIL: Failing row contains (…)`` holds a
whole row (a transcript, a webhook secret), ``Key (…)=(…)`` a key, ``invalid input syntax
for type …: "…"`` the input, ``CONTEXT`` of a ``COPY`` the line. So a PostgreSQL error is
told by its SQLSTATE, its class and the names in its diagnostics (schema, table, column,
constraint, type), never by its text; the statement is told as written (its parameters
are never shown: engines are built with ``hide_parameters``). SQLite's messages name
columns and constraints only, and client-side errors (a refused connection) carry no
row, so theirs are kept.
"""

from __future__ import annotations

import sqlite3
import traceback

import psycopg
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout

_DIAGNOSTIC_NAMES = ("schema_name", "table_name", "column_name", "constraint_name", "datatype_name")


def _driver_error(error: BaseException) -> str:
    kind = f"{type(error).__module__}.{type(error).__qualname__}"
    if isinstance(error, psycopg.Error) and error.sqlstate:
        names = [
            f"{name.removesuffix('_name')} {value}"
            for name in _DIAGNOSTIC_NAMES
            if (value := getattr(error.diag, name)) is not None
        ]
        return ", ".join([f"{kind} (SQLSTATE {error.sqlstate}, message withheld)", *names])
    lines = str(error).strip().splitlines()
    return f"{kind}: {lines[0]}" if lines else kind


def describe(error: BaseException) -> str | None:
    """One line for a database error, without the values it quotes; ``None`` for others."""
    if isinstance(error, StatementError):
        cause = error.orig
        if isinstance(error, DBAPIError) and cause is not None:
            told = _driver_error(cause)
        else:  # a parameter the driver could not take; the cause follows in the chain
            told = type(cause).__qualname__
        statement = " ".join((error.statement or "").split())
        return f"{type(error).__module__}.{type(error).__qualname__} from {told}; SQL: {statement}"
    if isinstance(error, psycopg.Error | sqlite3.Error):
        return _driver_error(error)
    return None


_UNAVAILABLE_CLASSES = ("08", "53", "57")
"""SQLSTATE classes of a server that cannot serve now: connection exception, insufficient
resources (disk full, out of memory, too many connections), operator intervention
(statement timeout, shutdown, starting up)."""
_UNAVAILABLE_STATES = frozenset({"25006"})  # read-only SQL transaction (a standby)

_SQLITE_UNAVAILABLE = frozenset(
    {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_PROTOCOL,
    }
)
"""SQLite's primary result codes of a file that cannot be used now: locked past the busy
timeout, read-only, failing I/O, disk full, cannot be opened."""


def _unavailable(error: BaseException) -> bool:
    if isinstance(error, PoolTimeout):
        return True
    if isinstance(error, psycopg.Error):
        state = error.sqlstate
        if state is None:  # client side: refused, timed out, connection lost
            return isinstance(error, psycopg.OperationalError | psycopg.InterfaceError)
        return state[:2] in _UNAVAILABLE_CLASSES or state in _UNAVAILABLE_STATES
    if isinstance(error, sqlite3.Error):
        return getattr(error, "sqlite_errorcode", -1) & 0xFF in _SQLITE_UNAVAILABLE
    return False


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) says the database cannot serve now (down,
    unreachable, too slow, full or read-only) rather than that a statement was wrong: the
    request gets ``503 Service Unavailable`` and may be retried."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not other for other in seen):
        seen.append(current)
        if _unavailable(current):
            return True
        current = current.__cause__ or current.__context__  # a DBAPIError's is its driver's
    return False


def format_failure(error: BaseException) -> str:
    """Like ``traceback.format_exception``, every database error of the chain told by
    ``describe`` instead of its own words."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    parts: list[str] = []
    for link in reversed(chain):
        if parts:
            parts.append("\nwhich led to:\n\n")
        if link.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(link.__traceback__))
        told = describe(link)
        if told is None:
            told = "".join(traceback.format_exception_only(type(link), link)).rstrip()
        parts.append(told + "\n")
    return "".join(parts).rstrip("\n")
