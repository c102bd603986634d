"""A database that hangs, goes away, fills up or turns read-only: every request gets a
prompt ``503 {"message": "Service Unavailable"}`` (``/healthz`` too), nothing half-stored,
and the same running app serves again once the database is back."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from callvault.api.app import create_app
from callvault.calls.models import Call
from callvault.config import Settings
from callvault.db.database import Database
from callvault.migrations import upgrade_database
from callvault.tokens.service import issue_token
from callvault.unit_of_work import writing
from callvault.users.service import create_user
from tests.api.faults import black_hole, switched_proxy
from tests.conftest import Tenant, read_session
from tests.ingest.conftest import Hook, call_payload, event, make_hook

T = TypeVar("T")
UNAVAILABLE = {"message": "Service Unavailable"}
BOUND = 30.0
"""Seconds a request may take before the test calls it hung (the old code: forever)."""


def within(action: Callable[[], T], seconds: float = BOUND) -> T:
    """``action()``, which must return within ``seconds`` (run in a thread, so that a hung
    request fails the test instead of hanging it)."""
    result: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(action())
        except BaseException as error:  # handed to the test below
            failure.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"no answer within {seconds:.0f} s")
    if failure:
        raise failure[0]
    return result[0]


def assert_unavailable(answer: Any) -> None:
    assert (answer.status_code, answer.json()) == (503, UNAVAILABLE), answer.text
    assert answer.headers["retry-after"] == "5"


def _client(url: str, **settings: Any) -> TestClient:
    app = create_app(Settings(database_url=url, db_connect_timeout=2, **settings))
    return TestClient(app, base_url="http://localhost")


def _calls(db: Database) -> int:
    with read_session(db) as session:
        return int(session.scalar(select(func.count()).select_from(Call)) or 0)


def test_a_database_that_never_answers_gets_prompt_503s() -> None:
    """A server that accepts the connection and then says nothing (hung, or a firewall
    eating packets) held every request for minutes; now each waits the connect timeout."""
    with (
        black_hole() as port,
        _client(f"postgresql+psycopg://postgres@127.0.0.1:{port}/x") as client,
    ):
        bearer = {"Authorization": "Bearer 1|secret"}
        assert_unavailable(within(lambda: client.get("/healthz")))
        assert_unavailable(within(lambda: client.get("/api/user/calls", headers=bearer)))
        assert_unavailable(within(lambda: client.get("/api/user/me", headers=bearer)))
        delivery = within(lambda: client.post("/api/webhooks/calls/whe_x", content=b"{}"))
        assert_unavailable(delivery)


def _signed(hook: Hook, client: TestClient, call_id: int, **fields: Any) -> Any:
    return hook.post(client, event("call.completed", call_payload(call_id, **fields)))


@pytest.fixture
def postgresql_db(db: Database) -> Database:
    if db.backend.name != "postgresql":
        pytest.skip("a PostgreSQL server to stop and start (SQLite: the file tests below)")
    return db


def test_a_database_that_goes_down_gets_503s_and_the_same_app_recovers(
    postgresql_db: Database, tenant: Tenant
) -> None:
    db = postgresql_db
    hook = make_hook(db, tenant)
    url = db.engine.url
    with switched_proxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        proxied = url.set(host="127.0.0.1", port=proxy.port)
        with _client(proxied.render_as_string(hide_password=False)) as client:
            assert (
                within(lambda: client.get("/api/user/calls", headers=tenant.headers)).status_code
                == 200
            )
            assert _signed(hook, client, 1).status_code == 200

            proxy.down()  # pooled connections cut, new ones refused
            for path in ("/healthz", "/api/user/calls", "/api/user/webhooks"):
                assert_unavailable(within(partial(client.get, path, headers=tenant.headers)))
            assert_unavailable(within(lambda: _signed(hook, client, 2)))
            assert _calls(db) == 1  # the refused delivery stored nothing

            proxy.up()
            listed = within(lambda: client.get("/api/user/calls", headers=tenant.headers))
            assert (listed.status_code, listed.json()["total"]) == (200, 1)
            assert within(lambda: _signed(hook, client, 2)).status_code == 200  # the retry
            assert within(lambda: client.get("/healthz")).status_code == 200
    assert _calls(db) == 2


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs of its own (a real ENOSPC and a real read-only file system)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root (as in CI)")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def _sqlite_service(directory: Path) -> tuple[Database, Tenant, Hook, str]:
    url = f"sqlite:///{directory / 'callvault.db'}"
    upgrade_database(url)
    db = Database(url, pool_size=2)
    with writing(db) as unit:
        user = create_user(unit, name="a", email="a@example.com")
        token = issue_token(unit.tenant(user.id), name="t").plain_text
    tenant = Tenant(db, user, token)
    return db, tenant, make_hook(db, tenant), url


def _fill(directory: Path) -> Path:
    filler = directory / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_gets_503s_stores_nothing_and_recovers(small_disk: Path) -> None:
    db, tenant, hook, url = _sqlite_service(small_disk)
    big = "x" * 700_000  # more pages than the write-ahead log holds free
    with _client(url) as client:
        assert _signed(hook, client, 1).status_code == 200
        filler = _fill(small_disk)
        assert_unavailable(within(lambda: _signed(hook, client, 2, transcript=big)))
        filler.unlink()
        assert within(lambda: _signed(hook, client, 2, transcript=big)).status_code == 200
        listed = client.get("/api/user/calls", headers=tenant.headers).json()
    assert (listed["total"], listed["data"][0]["transcript"]) == (2, big)
    db.dispose()


@pytest.fixture
def immutable(tmp_path: Path) -> Iterator[Callable[[bool], None]]:
    """Turns the database's files immutable and back (``chattr +i``, which binds root too:
    a read-only file for a service that runs as root)."""
    if os.geteuid() != 0 or shutil.which("chattr") is None:
        pytest.skip("chattr +i needs root (as in CI)")
    files = [tmp_path / "callvault.db", tmp_path / "callvault.db-wal"]

    def switch(on: bool) -> None:
        for file in files:
            if file.exists():
                subprocess.run(["chattr", "+i" if on else "-i", str(file)], check=True)

    yield switch
    switch(False)


def test_a_read_only_database_file_gets_503s_for_writes_and_recovers(
    tmp_path: Path, immutable: Callable[[bool], None]
) -> None:
    db, tenant, hook, url = _sqlite_service(tmp_path)
    with _client(url) as client:
        assert _signed(hook, client, 1).status_code == 200
        immutable(True)
        assert_unavailable(within(lambda: _signed(hook, client, 2)))
        made = client.post("/api/user/webhooks", headers=tenant.headers, json={"name": "n"})
        assert_unavailable(made)
        immutable(False)
        assert within(lambda: _signed(hook, client, 2)).status_code == 200
        listed = client.get("/api/user/calls", headers=tenant.headers).json()
    assert listed["total"] == 2
    db.dispose()


def test_a_statement_past_its_timeout_gets_503(postgresql_db: Database, tenant: Tenant) -> None:
    """``CALLVAULT_DB_STATEMENT_TIMEOUT`` reaches the server: a statement held up by a lock
    ends at the timeout with a 503 instead of holding the request."""
    db = postgresql_db
    hook = make_hook(db, tenant)
    url = db.engine.url.render_as_string(hide_password=False)
    with _client(url, db_statement_timeout=1) as client, db.engine.connect() as blocker:
        assert _signed(hook, client, 1).status_code == 200
        blocker.exec_driver_sql("BEGIN")
        blocker.exec_driver_sql("LOCK TABLE calls IN ACCESS EXCLUSIVE MODE")
        assert_unavailable(within(lambda: client.get("/api/user/calls", headers=tenant.headers)))
        blocker.exec_driver_sql("ROLLBACK")
        assert client.get("/api/user/calls", headers=tenant.headers).status_code == 200
