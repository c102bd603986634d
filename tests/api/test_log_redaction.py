"""No secret, token or call content in any log line, at any level, when the database fails.

The database is made to refuse a write in its own words: on PostgreSQL a check constraint
whose violation quotes the failing row (``DETAIL: Failing row contains (…)``), on SQLite a
trigger. Every log record of the failing requests (every logger, DEBUG and up, the
SQLAlchemy engine's statement log included) and a real server's stderr are then searched
for the secrets and the call's contents.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from callvault.api.app import create_app
from callvault.config import Settings
from callvault.db.database import Database
from callvault.webhooks.signing import HEADER, sign
from tests.conftest import Tenant
from tests.ingest.conftest import Hook, call_payload, event, make_hook
from tests.ingest.servers import Server

TRANSCRIPT = "Customer said: my card is 4111-1111-1111-1111"
VARIABLE = "confidential-variable-value"


@contextmanager
def refusing(db: Database, table: str, column: str) -> Iterator[None]:
    """``table`` refuses rows whose ``column`` is not null, until the block ends."""
    if db.backend.name == "postgresql":
        install = [
            f"ALTER TABLE {table} ADD CONSTRAINT test_refused CHECK ({column} IS NULL) NOT VALID"
        ]
        remove = [f"ALTER TABLE {table} DROP CONSTRAINT test_refused"]
    else:
        install = [
            f"CREATE TRIGGER test_refused_{verb} BEFORE {verb} ON {table} "
            f"WHEN NEW.{column} IS NOT NULL BEGIN SELECT RAISE(ABORT, 'refused'); END"
            for verb in ("INSERT", "UPDATE")
        ]
        remove = [f"DROP TRIGGER test_refused_{verb}" for verb in ("INSERT", "UPDATE")]
    with db.engine.begin() as connection:
        for statement in install:
            connection.execute(text(statement))
    try:
        yield
    finally:
        with db.engine.begin() as connection:
            for statement in remove:
                connection.execute(text(statement))


def _delivery(hook: Hook) -> tuple[bytes, dict[str, str]]:
    payload = call_payload(77, transcript=TRANSCRIPT, variables={"note": VARIABLE})
    body = json.dumps(event("call.completed", payload, "evt_secretive")).encode()
    signature = sign(hook.secret, int(time.time()), body)
    return body, {HEADER: signature, "Content-Type": "application/json"}


def _assert_clean(log: str, *secrets: str) -> None:
    assert log, "the failure was not logged at all"
    for secret in (TRANSCRIPT, VARIABLE, "4111", "whsec_", *secrets):
        assert secret not in log, f"{secret!r} leaked into the log:\n{log}"


def test_failing_writes_log_no_secret_or_call_content(
    db: Database, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    hook = make_hook(db, tenant)
    settings = Settings(database_url=db.engine.url.render_as_string(hide_password=False))
    caplog.set_level(logging.DEBUG)  # every logger, every level: SQLAlchemy's echo included
    app = create_app(settings)
    with TestClient(app, base_url="http://localhost", raise_server_exceptions=False) as client:
        created = client.post("/api/user/webhooks", json={"name": "x"}, headers=tenant.headers)
        assert created.status_code == 201
        secrets = [created.json()["secret"], hook.secret, tenant.token]
        body, headers = _delivery(hook)
        with refusing(db, "calls", "transcript"):
            delivered = client.post(hook.path, content=body, headers=headers)
        with refusing(db, "webhook_endpoints", "previous_secret"):
            rotated = client.post(
                f"/api/user/webhooks/{hook.id}/rotate", json={}, headers=tenant.headers
            )
    assert (delivered.status_code, delivered.json()) == (500, {"message": "Server Error"})
    assert (rotated.status_code, rotated.json()) == (500, {"message": "Server Error"})
    assert any(r.levelno >= logging.ERROR for r in caplog.records)
    _assert_clean(caplog.text, *secrets, headers[HEADER])


def test_a_real_servers_stderr_holds_no_secret_or_call_content(
    database_url: str, db: Database, tenant: Tenant, tmp_path: Path
) -> None:
    hook = make_hook(db, tenant)
    log = tmp_path / "server.log"
    server = Server(database_url, log=log, log_level="debug")
    server.start()
    try:
        body, headers = _delivery(hook)
        with refusing(db, "calls", "transcript"), httpx.Client(base_url=server.base) as http:
            response = http.post(hook.path, content=body, headers=headers, timeout=30)
    finally:
        server.kill()
    assert response.status_code == 500
    _assert_clean(log.read_text(), hook.secret, tenant.token, headers[HEADER])
