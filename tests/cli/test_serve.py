"""``callvault demo`` then ``callvault serve``: the first run, as a real server process."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx

from callvault.db.database import Database
from tests.conftest import run_console

CALLVAULT = str(Path(sys.executable).with_name("callvault"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(http: httpx.Client) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if http.get("/healthz").json()["status"] == "ok":
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("server did not answer /healthz within 30 s")


def test_demo_then_serve_answers_with_the_printed_token(db: Database, database_url: str) -> None:
    port = _free_port()
    env = {**os.environ, "CALLVAULT_DATABASE_URL": database_url, "CALLVAULT_PORT": str(port)}
    demo = subprocess.run(
        [CALLVAULT, "demo", "--calls", "200"], env=env, capture_output=True, text=True, check=True
    )
    token = re.search(r"\b\d+\|[A-Za-z0-9]{48}\b", demo.stdout)
    assert token, demo.stdout
    assert f"http://127.0.0.1:{port}/api/user/calls" in demo.stdout

    server = subprocess.Popen(
        [CALLVAULT, "serve", "--no-migrate"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=2) as http:
            _wait_until_up(http)
            response = http.get(
                "/api/user/calls?per_page=3",
                headers={"Authorization": f"Bearer {token.group(0)}"},
            )
        assert response.status_code == 200
        body = response.json()
        assert body["total"] == 200
        assert body["path"] == f"{base}/api/user/calls"
        assert "server" not in response.headers
        assert b'"first_page_url":"http:\\/\\/127.0.0.1' in response.content
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)


def test_serve_on_a_taken_port_says_which_process_has_it(db: Database, database_url: str) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        for check_only in ((), ("--check-port",)):
            done = run_console(database_url, "serve", "--port", str(port), *check_only)
            assert done.returncode == 1, done.stderr
            first, *rest = done.stderr.splitlines()
            assert first.startswith(
                f"error: port {port} on 127.0.0.1 is in use by pid {os.getpid()} ("
            ), done.stderr
            assert len(rest) == 1  # the hint
            assert "--port" in rest[0]
            assert "Traceback" not in done.stderr
    free = run_console(database_url, "serve", "--port", str(port), "--check-port")
    assert free.returncode == 0, free.stderr
    assert free.stdout == f"Port {port} on 127.0.0.1 is free.\n"


def test_demo_keeps_its_token_in_a_private_file_while_it_works(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    kept = tmp_path / "demo.token"
    first = run_console(database_url, "demo", "--calls", "200", "--token-file", str(kept))
    assert first.returncode == 0, first.stderr
    assert "Generating 200 demo calls" in first.stdout
    token = re.search(r"Token: (\S+)", first.stdout)
    assert token, first.stdout
    assert kept.read_text() == token.group(1) + "\n"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert f"saved in {kept}" in first.stdout

    again = run_console(database_url, "demo", "--token-file", str(kept))
    assert again.returncode == 0, again.stderr
    assert f"Token: {token.group(1)}" in again.stdout
    assert f"kept in {kept}" in again.stdout

    token_id = token.group(1).split("|")[0]
    revoked = run_console(
        database_url, "tokens", "revoke", token_id, "--user", "demo@callvault.local"
    )
    assert revoked.returncode == 0, revoked.stderr
    renewed = run_console(database_url, "demo", "--token-file", str(kept))
    fresh = re.search(r"Token: (\S+)", renewed.stdout)
    assert fresh, renewed.stdout
    assert fresh.group(1) != token.group(1)
    assert kept.read_text() == fresh.group(1) + "\n"


def test_run_sh_keeps_the_demo_token_where_git_ignores_it() -> None:
    root = Path(__file__).parents[2]
    script = (root / "run.sh").read_text()
    kept = re.search(r"--token-file (\S+)", script)
    assert kept, script
    assert "serve --check-port" in script.split("callvault demo", 1)[0]  # before any token
    ignored = subprocess.run(["git", "check-ignore", "-q", kept.group(1)], cwd=root)
    assert ignored.returncode == 0
