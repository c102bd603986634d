"""Tables the CLI prints never cut an id, on a terminal of any width or into a pipe."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios

import pytest

from callvault.db.database import Database
from tests.conftest import Tenant, run_console
from tests.ingest.conftest import make_hook

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_terminal(database_url: str, columns: int, *args: str) -> str:
    """The console script on a pseudo-terminal ``columns`` wide: what it showed there."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env |= {"CALLVAULT_DATABASE_URL": database_url, "NO_COLOR": "1", "TERM": "xterm"}
    command = [sys.executable, "-c", "from callvault.cli.main import main; main()", *args]
    process = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 0, shown.decode()
    return ANSI.sub("", shown.decode()).replace("\r\n", "\n")


@pytest.fixture
def endpoints(db: Database, tenant: Tenant, client) -> list[str]:
    """Two endpoints (one rotated, so every date column is filled) and a delivery of each
    kind of event key: a long event id, and none (a body hash)."""
    hooks = [make_hook(db, tenant, "provider"), make_hook(db, tenant, "a rather long name")]
    done = run_console(
        db.engine.url.render_as_string(hide_password=False),
        *("webhooks", "rotate", hooks[1].id, "--user", tenant.user.email),
    )
    assert done.returncode == 0, done.stderr
    call = {"id": 7, "type": "web", "status": "completed"}
    long_id = "evt_" + "0123456789abcdef" * 6
    for event_id in (long_id, None):
        delivery = {"event": "call.completed", "call": call} | (
            {"id": event_id} if event_id else {}
        )
        assert hooks[0].post(client, delivery).is_success
    return [hook.id for hook in hooks] + [long_id]


@pytest.mark.parametrize("columns", [80, 40])
def test_webhook_ids_and_event_keys_are_whole_on_a_terminal(
    database_url: str, tenant: Tenant, endpoints: list[str], columns: int
) -> None:
    listed = on_terminal(database_url, columns, "webhooks", "list", "--user", tenant.user.email)
    for endpoint_id in endpoints[:2]:
        assert endpoint_id in listed, listed
    log = on_terminal(
        database_url, columns, "webhooks", "log", endpoints[0], "--user", tenant.user.email
    )
    assert endpoints[2] in log, log
    assert re.search(r"sha256:[0-9a-f]{64}", log), log


def test_piped_tables_are_one_line_a_row(
    database_url: str, tenant: Tenant, endpoints: list[str]
) -> None:
    listed = run_console(database_url, "webhooks", "list", "--user", tenant.user.email).stdout
    rows = [line for line in listed.splitlines() if "whe_" in line]
    assert len(rows) == 2
    by_name = sorted(rows, key=lambda row: "rather" in row)
    for endpoint_id, row in zip(endpoints[:2], by_name, strict=True):
        assert endpoint_id in row
    assert "…" not in listed
