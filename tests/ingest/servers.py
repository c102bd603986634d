"""Real callvault servers for tests: uvicorn in a thread, or in its own process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import uvicorn

from callvault.api.app import create_app
from callvault.config import Settings
from callvault.migrations import upgrade_database


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(database_url: str) -> Iterator[str]:
    """Serve callvault on ``database_url`` (migrated first); yields the base URL."""
    upgrade_database(database_url)
    port = free_port()
    config = uvicorn.Config(
        create_app(Settings(database_url=database_url)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws="none",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the upstream server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Answer:
    """One HTTP answer a scripted server gives."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@contextmanager
def answering(*answers: Answer) -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on 127.0.0.1 giving ``answers`` in order, the last one to every
    later request; yields its base URL and the paths it was asked for."""
    script, asked = list(answers), []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            answer = script.pop(0) if len(script) > 1 else script[0]
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test reads ``asked`` instead."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class Server:
    """``uvicorn callvault`` in its own process on 127.0.0.1, stopped by a signal."""

    def __init__(
        self, database_url: str, log: Path | None = None, log_level: str = "warning"
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "CALLVAULT_DATABASE_URL": database_url}
        self.log = log  # the server's stderr goes there (appended), else nowhere
        self.log_level = log_level
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log or os.devnull, "ab") as stderr:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "--factory",
                    "callvault.api.app:app_from_environment",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--log-level",
                    self.log_level,
                ],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self, sig: signal.Signals, timeout: float = 10) -> int:
        """Send ``sig``, wait for the process to end; its return code."""
        assert self.process is not None
        self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        self.stop(signal.SIGKILL)
