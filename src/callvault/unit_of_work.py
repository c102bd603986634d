"""The one door to the database: a unit of work, and the tenant views it hands out.

A ``UnitOfWork`` is one transaction (or, for the hot read path, one read connection) and the
backend it speaks. Only the request dependencies (``api/deps.py``), the CLI and the webhook
batcher open one, with ``reading``/``writing``; it alone commits, at the end of its block,
or rolls back if the block raised. Services receive a ``Tenant``: the unit of work seen as
one user, whose repositories are built here and only here, each scoped to that user. There
is no other way to run a statement on a tenant's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import cached_property

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from callvault.assistants.models import Assistant
from callvault.calls.repository import CallRepository
from callvault.calls.upsert import CallUpsert
from callvault.campaigns.models import Campaign
from callvault.db.backends import Backend
from callvault.db.database import Database
from callvault.ingest.references import OwnedNames
from callvault.ingest.sources import SyncSources
from callvault.tokens.repository import TokenDirectory, TokenRepository
from callvault.users.repository import UserDirectory
from callvault.webhooks.repository import EndpointDirectory, WebhookRepository


class UnitOfWork:
    """One transaction on one connection; lookups that find a tenant, and ``tenant()``."""

    def __init__(
        self, connection: Connection, backend: Backend, session: Session | None = None
    ) -> None:
        self._connection = connection
        self._session = session
        self.backend = backend

    @cached_property
    def session(self) -> Session:
        """The ORM session of the unit (one is bound to a read connection when needed)."""
        return self._session or Session(bind=self._connection)

    @cached_property
    def users(self) -> UserDirectory:
        return UserDirectory(self.session)

    @cached_property
    def tokens(self) -> TokenDirectory:
        return TokenDirectory(self._connection)

    @cached_property
    def endpoints(self) -> EndpointDirectory:
        return EndpointDirectory(self.session)

    def tenant(self, user_id: int) -> Tenant:
        return Tenant(self, user_id)

    def flush(self) -> None:
        if self._session is not None or "session" in self.__dict__:
            self.session.flush()


class Tenant:
    """One user's view of a unit of work: every repository here is scoped to ``user_id``."""

    def __init__(self, unit: UnitOfWork, user_id: int) -> None:
        self._unit = unit
        self.user_id = user_id
        self.backend = unit.backend

    @property
    def _connection(self) -> Connection:
        return self._unit._connection

    @cached_property
    def calls(self) -> CallRepository:
        return CallRepository(self._connection, self.user_id, self.backend)

    @cached_property
    def upserts(self) -> CallUpsert:
        return CallUpsert(self._connection, self.user_id, self.backend)

    @cached_property
    def assistants(self) -> OwnedNames:
        return OwnedNames(self._unit.session, self.user_id, Assistant, self.backend)

    @cached_property
    def campaigns(self) -> OwnedNames:
        return OwnedNames(self._unit.session, self.user_id, Campaign, self.backend)

    @cached_property
    def webhooks(self) -> WebhookRepository:
        return WebhookRepository(self._unit.session, self.user_id)

    @cached_property
    def tokens(self) -> TokenRepository:
        return TokenRepository(self._unit.session, self.user_id)

    @cached_property
    def sync_sources(self) -> SyncSources:
        return SyncSources(self._unit.session, self.user_id)

    def snapshot(self) -> AbstractContextManager[None]:
        """The block's reads see one snapshot (a read unit of work)."""
        return self.backend.snapshot(self._connection)

    def lock_names(self) -> None:
        """Until the unit ends, no other writer creates this user's assistants or campaigns."""
        self.backend.lock_names(self._connection, self.user_id)

    def refresh_statistics(self) -> None:
        self.backend.refresh_statistics(self._connection)

    def flush(self) -> None:
        self._unit.flush()


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
            if "session" in unit.__dict__:
                unit.session.close()
