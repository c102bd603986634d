"""``callvault demo`` then ``callvault serve``: the first run, as a real server process."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from callvault.db.database import Database

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
