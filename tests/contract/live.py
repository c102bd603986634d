"""Schemathesis against a live ``callvault serve`` on each backend: every operation of the
OpenAPI document, every check, a bounded number of examples; exits 1 on any failure.

    python -m tests.contract.live [--backend sqlite,postgresql] [--max-examples 100] [--seed N]

Each backend gets a fresh database (a SQLite file; a PostgreSQL database created on
``CALLVAULT_TEST_POSTGRES_URL`` and dropped after) holding two demo users with a token
each. The server runs with rate limiting off; its log must hold no traceback. Checks and the
exceptions to them are in ``schemathesis.toml`` beside this file.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")
BIN = Path(sys.executable).parent
USERS = {"owner": 1000, "peer": 200}
"""Two users with demo calls and a token each (schemathesis' peers: neither may reach the
other's calls or endpoints); enough calls that deletions never empty a list."""
START_SECONDS = 60
RUN_SECONDS = 600
"""Bounds: the server must answer within the first, schemathesis finish within the second."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def database(backend: str, directory: Path) -> Iterator[str]:
    """A fresh, empty database of ``backend``, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'schemathesis.db'}"
        return
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"callvault_schemathesis_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def server(environment: dict[str, str], log: Path) -> Iterator[str]:
    """``callvault serve`` on a free port; its base URL once ``/healthz`` answers."""
    port = _free_port()
    command = [str(BIN / "callvault"), "serve", "--no-migrate", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=environment, stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"callvault serve did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def demo(environment: dict[str, str], directory: Path, user: str, calls: int) -> str:
    """``callvault demo`` for ``user``: its calls, and a token of its own."""
    token = directory / f"{user}.token"
    command = [str(BIN / "callvault"), "demo", "--email", f"{user}@callvault.local"]
    command += ["--calls", str(calls), "--token-file", str(token)]
    subprocess.run(
        command, env=environment, check=True, stdout=subprocess.DEVNULL, timeout=START_SECONDS
    )
    return token.read_text().strip()


def auth_file(path: Path, tokens: dict[str, str]) -> Path:
    """A Web Fuzzing Commons auth file: one entry per user, its bearer token."""
    entries = [
        {"name": user, "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {token}"}]}
        for user, token in tokens.items()
    ]
    path.write_text(json.dumps({"auth": entries}))
    return path


def run_backend(backend: str, max_examples: int, seed: int | None) -> bool:
    """Schemathesis against a fresh server on ``backend``; True when nothing failed."""
    with tempfile.TemporaryDirectory(prefix=f"callvault-schemathesis-{backend}-") as temp:
        directory = Path(temp)
        with database(backend, directory) as url:
            environment = {
                **os.environ,
                "CALLVAULT_DATABASE_URL": url,
                "CALLVAULT_ACCESS_LOG": "false",
                "CALLVAULT_RATE_LIMIT": "0",
            }
            tokens = {user: demo(environment, directory, user, n) for user, n in USERS.items()}
            auth = auth_file(directory / "auth.json", tokens)
            log = directory / "server.log"
            with server(environment, log) as base:
                command = [str(BIN / "schemathesis"), "--config-file", str(CONFIG), "run"]
                command += [f"{base}/openapi.json", "--checks", "all", "--no-color"]
                command += ["--max-examples", str(max_examples)]
                if seed is not None:
                    command += ["--seed", str(seed)]
                started = time.monotonic()
                finished = subprocess.run(
                    command,
                    env={**environment, "CALLVAULT_AUTH": str(auth), "PYTHONPATH": str(ROOT)},
                    cwd=ROOT,
                    timeout=RUN_SECONDS,
                    check=False,
                )
                elapsed = time.monotonic() - started
            server_log = log.read_text(errors="replace")
        traceback = "Traceback" in server_log
        if traceback:
            print(f"{backend}: the server logged a traceback:\n{server_log}")
        print(f"{backend}: schemathesis exited {finished.returncode} in {elapsed:.0f} s")
        return finished.returncode == 0 and not traceback


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="sqlite,postgresql")
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=None)
    return parser


def main() -> None:
    arguments = parser().parse_args()
    results = [
        run_backend(backend.strip(), arguments.max_examples, arguments.seed)
        for backend in arguments.backend.split(",")
    ]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
