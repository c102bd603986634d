"""Signed webhook deliveries per second through a real uvicorn server on 127.0.0.1.

    .venv/bin/python -m bench.ingest.webhooks [--backends sqlite,postgresql]
        [--concurrency 1,16] [--seconds 10] [--workers 1] [--driver wrk|python]

For each backend: a fresh database, one user and endpoint, ``callvault`` served by uvicorn
in a subprocess; then, per concurrency level, that many connections post for ``--seconds``
seconds (hard-bounded): each call gets a ``call.started`` and then a ``call.completed``
(one insert and one merge-update). Only 2xx answers count; anything else is reported.

Drivers: ``wrk`` (default when installed) replays deliveries signed just before the run
(valid for the 5-minute window) from a Lua script, so the load generator costs little CPU
on the cores it shares with the server; ``python`` signs each request in an httpx client.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx

from bench.ingest.common import DEFAULT_PG, call_item, fresh_database, tenant_with_endpoint
from callvault.webhooks.signing import HEADER, sign


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CALLVAULT_DATABASE_URL": url, "CALLVAULT_DB_POOL_SIZE": "20"}
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "callvault.api.app:app_from_environment",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError("server did not start")


def deliveries(secret: str, first_id: int, seed: int) -> Iterator[tuple[bytes, str]]:
    """Signed (body, header) pairs: ``call.started`` then ``call.completed`` per call."""
    rng = random.Random(seed)
    for call_id in itertools.count(first_id):
        done = call_item(rng, call_id)
        started = {**done, "status": "in-progress", "transcript": None}
        started["updated_at"] = started["created_at"]
        for kind, call in (("call.started", started), ("call.completed", done)):
            body = json.dumps({"event": kind, "id": f"{kind}-{call_id}", "call": call}).encode()
            yield body, sign(secret, int(time.time()), body)


def wrk_load(
    base: str, endpoint: str, secret: str, concurrency: int, seconds: float, first_id: int
) -> tuple[int, Counter[str], float]:
    """Replay pre-signed deliveries with wrk; each wrk thread walks its own share.

    The shares are files the Lua script reads at start (a script holding them as literals
    would pass LuaJIT's 65,536 constants for runs longer than a few seconds).
    """
    threads = min(2, concurrency)
    per_thread = int(seconds * 1500)  # more than a thread sends in ``seconds`` (checked below)
    signed = deliveries(secret, first_id, concurrency)
    with tempfile.TemporaryDirectory() as folder:
        for index in range(1, threads + 1):
            with open(Path(folder) / f"share{index}.txt", "wb") as share:
                for body, header in itertools.islice(signed, per_thread):
                    assert b"\n" not in body
                    share.write(body + b"\n" + header.encode() + b"\n")
        script = Path(folder) / "replay.lua"
        script.write_text(
            f"""
local counter = 0
function setup(thread) counter = counter + 1; thread:set("index", counter) end
function init(args)
  requests = {{}}
  local lines = io.lines("{folder}/share" .. index .. ".txt")
  for body in lines do
    local header = lines()
    requests[#requests + 1] = wrk.format("POST", "/api/webhooks/calls/{endpoint}",
      {{["{HEADER}"] = header, ["Content-Type"] = "application/json"}}, body)
  end
  position = 0
end
function request()
  position = position + 1
  if position > #requests then position = 1 end
  return requests[position]
end
"""
        )
        done = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{seconds:g}s", "-s", str(script), base],
            capture_output=True,
            text=True,
            timeout=seconds + 120,
            check=True,
        )
    total = int(re.search(r"(\d+) requests in", done.stdout).group(1))  # type: ignore[union-attr]
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    bad = int(failed.group(1)) if failed else 0
    if total > per_thread * threads:
        raise RuntimeError(f"wrk replayed deliveries: raise per_thread\n{done.stdout}")
    duration = float(re.search(r"requests in ([\d.]+)s", done.stdout).group(1))  # type: ignore[union-attr]
    statuses: Counter[str] = Counter({"2xx": total - bad, "other": bad})
    return total - bad, statuses, duration


async def load(
    base: str, endpoint: str, secret: str, concurrency: int, seconds: float, first_id: int
) -> tuple[int, Counter[str], float]:
    ids = itertools.count(first_id)
    statuses: Counter[str] = Counter()
    deadline = time.monotonic() + seconds
    rng = random.Random(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            call_id = next(ids)
            done = call_item(rng, call_id)
            started = {**done, "status": "in-progress", "transcript": None}
            started["updated_at"] = started["created_at"]
            for kind, call in (("call.started", started), ("call.completed", done)):
                body = json.dumps({"event": kind, "id": f"{kind}-{call_id}", "call": call})
                raw = body.encode()
                headers = {HEADER: sign(secret, int(time.time()), raw)}
                response = await client.post(
                    f"/api/webhooks/calls/{endpoint}", content=raw, headers=headers
                )
                statuses[str(response.status_code)] += 1

    started_at = time.monotonic()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        await asyncio.wait_for(
            asyncio.gather(*(worker(client) for _ in range(concurrency))), seconds + 60
        )
    elapsed = time.monotonic() - started_at
    ok = sum(n for status, n in statuses.items() if status.startswith("2"))
    return ok, statuses, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--concurrency", default="1,16")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument(
        "--driver", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python"
    )
    args = parser.parse_args()
    for backend in args.backends.split(","):
        with fresh_database(backend, args.pg_url) as url:
            endpoint, secret = tenant_with_endpoint(url)
            server = start_server(url, args.port, args.workers)
            try:
                first_id = 1
                for level in (int(c) for c in args.concurrency.split(",")):
                    base = f"http://127.0.0.1:{args.port}"
                    if args.driver == "wrk":
                        ok, statuses, elapsed = wrk_load(
                            base, endpoint, secret, level, args.seconds, first_id
                        )
                    else:
                        ok, statuses, elapsed = asyncio.run(
                            load(base, endpoint, secret, level, args.seconds, first_id)
                        )
                    first_id += 10_000_000
                    result = {
                        "backend": backend,
                        "workers": args.workers,
                        "driver": args.driver,
                        "concurrency": level,
                        "seconds": round(elapsed, 1),
                        "deliveries_ok": ok,
                        "deliveries_per_s": round(ok / elapsed),
                        "statuses": dict(statuses),
                    }
                    print(json.dumps(result), flush=True)
            finally:
                os.killpg(server.pid, signal.SIGKILL)  # the supervisor and its workers
                server.wait(timeout=10)


if __name__ == "__main__":
    main()
