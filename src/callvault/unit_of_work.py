"""The one door to the database: a unit of work, the tenant views it hands out, and the
base classes of every repository.

A ``UnitOfWork`` is one transaction (or, for the hot read path, one read connection) and the
backend it speaks. Only the request dependencies (``api/deps.py``), the CLI and the webhook
batcher open one, with ``reading``/``writing``; it alone commits, at the end of its block,
or rolls back if the block raised. Services receive a ``Tenant``: the unit of work seen as
one user. A repository is built only by ``Repository.of(tenant)`` (or a ``Directory``, for
the lookups that find a tenant, by ``Directory.of(unit)``), so every statement on a tenant's
rows runs in a unit of work, for that unit's user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Self, TypeVar

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from callvault.db.backends import Backend
from callvault.db.database import Database

_Built = TypeVar("_Built")


class _Builds:
    """Keeps one instance per kind of what is built from it (repositories, directories)."""

    def __init__(self) -> None:
        self._built: dict[type[Any], Any] = {}

    def _build(self, kind: type[_Built], build: Callable[[], _Built]) -> _Built:
        if kind not in self._built:
            self._built[kind] = build()
        built: _Built = self._built[kind]
        return built


class UnitOfWork(_Builds):
    """One transaction on one connection; its directories, and ``tenant()``."""

    def __init__(
        self, connection: Connection, backend: Backend, session: Session | None = None
    ) -> None:
        super().__init__()
        self.connection = connection
        self.backend = backend
        self._session = session

    @property
    def session(self) -> Session:
        """The unit's ORM session (a read unit binds one to its connection when asked)."""
        if self._session is None:
            self._session = Session(bind=self.connection)
        return self._session

    def tenant(self, user_id: int) -> Tenant:
        return Tenant(self, user_id)

    def flush(self) -> None:
        if self._session is not None:
            self._session.flush()

    def _close(self) -> None:
        if self._session is not None:
            self._session.close()


class Tenant(_Builds):
    """One user's view of a unit of work: what their repositories are built from."""

    def __init__(self, unit: UnitOfWork, user_id: int) -> None:
        super().__init__()
        self._unit = unit
        self.user_id = user_id
        self.backend = unit.backend

    @property
    def connection(self) -> Connection:
        return self._unit.connection

    @property
    def session(self) -> Session:
        return self._unit.session

    def snapshot(self) -> AbstractContextManager[None]:
        """The block's reads see one snapshot (a read unit of work)."""
        return self.backend.snapshot(self.connection)

    def lock_names(self) -> None:
        """Until the unit ends, no other writer creates this user's assistants or campaigns."""
        self.backend.lock_names(self.connection, self.user_id)

    def refresh_statistics(self) -> None:
        self.backend.refresh_statistics(self.connection)

    def analyzed_rows(self) -> int | None:
        return self.backend.analyzed_rows(self.connection)

    def flush(self) -> None:
        self._unit.flush()


class Repository:
    """Statements on one user's rows; subclasses read ``user_id`` and never take another."""

    def __init__(self, tenant: Tenant) -> None:
        self._tenant = tenant
        self.user_id = tenant.user_id
        self.backend = tenant.backend
        self.connection = tenant.connection

    @classmethod
    def of(cls, tenant: Tenant) -> Self:
        """The tenant's repository of this kind (one per tenant view)."""
        return tenant._build(cls, lambda: cls(tenant))

    @property
    def session(self) -> Session:
        return self._tenant.session


class Directory:
    """Lookups that find a tenant (a token, a user by email, an endpoint by public id)."""

    def __init__(self, unit: UnitOfWork) -> None:
        self._unit = unit
        self.connection = unit.connection

    @classmethod
    def of(cls, unit: UnitOfWork) -> Self:
        return unit._build(cls, lambda: cls(unit))

    @property
    def session(self) -> Session:
        return self._unit.session


@contextmanager
def writing(database: Database) -> Iterator[UnitOfWork]:
    """A write transaction: committed at the end of the block, rolled back if it raised."""
    with database.write() as session:
        yield UnitOfWork(session.connection(), database.backend, session)


TenantUnits = Callable[[], AbstractContextManager[Tenant]]
"""Opens a write unit of work for one user (built by the CLI): for services whose work is
several units by rule (an import commits batch by batch, a sync page by page)."""


def tenant_units(database: Database, user_id: int) -> TenantUnits:
    @contextmanager
    def unit() -> Iterator[Tenant]:
        with writing(database) as work:
            yield work.tenant(user_id)

    return unit


@contextmanager
def reading(database: Database) -> Iterator[UnitOfWork]:
    """A read connection (the hot path): autocommit statements on PostgreSQL, one deferred
    transaction on SQLite; ``Tenant.snapshot`` where several statements must agree."""
    with database.connect() as connection:
        unit = UnitOfWork(connection, database.backend)
        try:
            yield unit
        finally:
            unit._close()
