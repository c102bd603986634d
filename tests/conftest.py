"""One real database per backend per run, built by the migrations; emptied after each test.

Every test that asks for ``database_url`` (directly or through ``client``/``db``) runs
twice: on a SQLite file and on a fresh PostgreSQL database. PostgreSQL comes from
``CALLVAULT_TEST_POSTGRES_URL`` (default: the local server, database ``test``); when it
cannot be reached the PostgreSQL half is skipped, except under ``CI=true`` where that fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from callvault.api.app import create_app
from callvault.assistants.models import Assistant
from callvault.calls.fields import phone_digits
from callvault.calls.models import Call
from callvault.campaigns.models import Campaign
from callvault.config import Settings
from callvault.db.database import Database
from callvault.migrations import upgrade_database
from callvault.models import Base
from callvault.tokens.service import issue_token
from callvault.unit_of_work import Tenant as TenantView
from callvault.unit_of_work import reading, writing
from callvault.users.models import User
from callvault.users.service import create_user

POSTGRES_URL = os.environ.get(
    "CALLVAULT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = [
    b.strip() for b in os.environ.get("CALLVAULT_TEST_BACKENDS", "sqlite,postgresql").split(",")
]


def run_console(
    database_url: str | None,
    *args: str,
    timeout: float = 60,
    cwd: Path | None = None,
    **env: str,
) -> subprocess.CompletedProcess[str]:
    """The ``callvault`` console script as a user runs it: its own process, its exit code,
    and what it printed (a traceback included, if one escapes). ``database_url=None``
    leaves ``CALLVAULT_DATABASE_URL`` unset (the default database, in ``cwd``)."""
    command = [sys.executable, "-c", "from callvault.cli.main import main; main()", *args]
    environment = {k: v for k, v in os.environ.items() if k != "CALLVAULT_DATABASE_URL"}
    if database_url is not None:
        environment["CALLVAULT_DATABASE_URL"] = database_url
    return subprocess.run(
        command,
        env=environment | env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _create_postgres_database() -> tuple[str, Callable[[], None]]:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"callvault_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI but unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable at {POSTGRES_URL}: {error}")

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False), drop


@contextmanager
def empty_database(backend: str, directory: Path) -> Iterator[str]:
    """The URL of a database of ``backend`` with nothing in it, dropped after the block
    (SQLite: a file in ``directory`` that does not exist yet)."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'fresh.db'}"
        return
    url, drop = _create_postgres_database()
    try:
        yield url
    finally:
        drop()


def _nothing() -> None:
    """Dropping a SQLite database is deleting its temporary directory: pytest does that."""


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty database of each backend, shared by the session."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("sqlite") / "callvault.db"
        url, drop = f"sqlite:///{path}", _nothing
    else:
        url, drop = _create_postgres_database()
    upgrade_database(url)
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """The database, emptied (every table) after the test."""
    database = Database(database_url, pool_size=2)
    try:
        yield database
    finally:
        with database.write() as session:
            for table in reversed(Base.metadata.sorted_tables):
                session.execute(table.delete())
        database.dispose()


@pytest.fixture
def app_factory(db: Database) -> Iterator[Callable[..., TestClient]]:
    """Build a client for an app with extra settings; lifespans are closed after the test."""
    clients: list[TestClient] = []

    def build(**overrides: Any) -> TestClient:
        settings = Settings(
            database_url=str(db.engine.url.render_as_string(hide_password=False)), **overrides
        )
        client = TestClient(create_app(settings), base_url="http://localhost")
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


def fastapi_of(client: TestClient) -> Any:
    """The FastAPI application inside the ASGI adapters ``create_app`` wraps it in."""
    app = client.app
    while not hasattr(app, "state"):
        app = app.app  # type: ignore[attr-defined]
    return app


@pytest.fixture
def client(app_factory: Callable[..., TestClient]) -> TestClient:
    return app_factory()


class Tenant:
    """A user with a token, and helpers to give them assistants, campaigns and calls."""

    def __init__(self, db: Database, user: User, token: str) -> None:
        self.db = db
        self.user = user
        self.token = token
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self._next_id = 1

    def add_assistant(self, assistant_id: int, name: str, phone: str | None = None) -> None:
        with self.db.write() as session:
            session.add(
                Assistant(user_id=self.user.id, id=assistant_id, name=name, phone_number=phone)
            )

    def add_campaign(self, campaign_id: int, name: str) -> None:
        with self.db.write() as session:
            session.add(Campaign(user_id=self.user.id, id=campaign_id, name=name))

    def add_call(self, **fields: Any) -> dict[str, Any]:
        """Store one call; unspecified fields get plain defaults. Returns the stored values."""
        call_id = fields.pop("id", None)
        if call_id is None:
            call_id = self._next_id
        self._next_id = max(self._next_id, call_id + 1)
        created = fields.pop("created_at", datetime(2025, 8, 4, 14, 30, 0))
        values: dict[str, Any] = {
            "id": call_id,
            "type": "outbound",
            "status": "completed",
            "duration": 60,
            "assistant_phone_number": "+1234567890",
            "client_phone_number": "+19876543210",
            "transcript": "Hello",
            "variables": None,
            "evaluation": None,
            "webhook_response": None,
            "carrier_cost": 0.02,
            "total_cost": 0.025,
            "answered_by": "human",
            "recording_url": None,
            "created_at": created,
            "updated_at": fields.pop("updated_at", created),
            **fields,
        }
        values["client_phone_digits"] = phone_digits(values["client_phone_number"])
        with self.db.write() as session:
            session.add(Call(user_id=self.user.id, **values))
        return values

    def get(self, client: TestClient, url: str, **kwargs: Any) -> Any:
        return client.get(url, headers=self.headers, **kwargs)

    @contextmanager
    def write(self) -> Iterator[TenantView]:
        """A committed unit of work for this user."""
        with tenant_write(self.db, self.user.id) as tenant:
            yield tenant

    @contextmanager
    def read(self) -> Iterator[TenantView]:
        """A read unit of work for this user (the hot path's kind)."""
        with tenant_read(self.db, self.user.id) as tenant:
            yield tenant


@contextmanager
def tenant_write(db: Database, user_id: int) -> Iterator[TenantView]:
    with writing(db) as unit:
        yield unit.tenant(user_id)


@contextmanager
def read_session(db: Database) -> Iterator[Session]:
    """An ORM session on a read unit of work, for a test's own checks of what is stored."""
    with reading(db) as unit:
        yield unit.session


@contextmanager
def tenant_read(db: Database, user_id: int) -> Iterator[TenantView]:
    with reading(db) as unit:
        yield unit.tenant(user_id)


@pytest.fixture
def make_tenant(db: Database) -> Callable[[str], Tenant]:
    def build(email: str) -> Tenant:
        with writing(db) as unit:
            user = create_user(unit, name=email.split("@")[0], email=email)
            issued = issue_token(unit.tenant(user.id), name="test")
        return Tenant(db, user, issued.plain_text)

    return build


@pytest.fixture
def tenant(make_tenant: Callable[[str], Tenant]) -> Tenant:
    return make_tenant("alice@example.com")
