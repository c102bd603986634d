"""Signed webhook deliveries per second through a real uvicorn server on 127.0.0.1.

    .venv/bin/python -m bench.ingest.webhooks [--backends sqlite,postgresql]
        [--concurrency 1,16] [--seconds 10] [--workers 1]

For each backend: a fresh database, one user and endpoint, ``callvault`` served by uvicorn
in a subprocess; then, per concurrency level, that many client tasks post for ``--seconds``
seconds (hard-bounded): each call gets a ``call.started`` and then a ``call.completed``
(one insert and one merge-update). Only 2xx answers count; anything else is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter

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
    process = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


async def load(
    base: str, endpoint: str, secret: str, concurrency: int, seconds: float, first_id: int
) -> tuple[int, Counter[int], float]:
    ids = itertools.count(first_id)
    statuses: Counter[int] = Counter()
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
                statuses[response.status_code] += 1

    started_at = time.monotonic()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        await asyncio.wait_for(
            asyncio.gather(*(worker(client) for _ in range(concurrency))), seconds + 60
        )
    elapsed = time.monotonic() - started_at
    ok = sum(n for status, n in statuses.items() if 200 <= status < 300)
    return ok, statuses, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--concurrency", default="1,16")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    args = parser.parse_args()
    for backend in args.backends.split(","):
        with fresh_database(backend, args.pg_url) as url:
            endpoint, secret = tenant_with_endpoint(url)
            server = start_server(url, args.port, args.workers)
            try:
                first_id = 1
                for level in (int(c) for c in args.concurrency.split(",")):
                    ok, statuses, elapsed = asyncio.run(
                        load(
                            f"http://127.0.0.1:{args.port}",
                            endpoint,
                            secret,
                            level,
                            args.seconds,
                            first_id,
                        )
                    )
                    first_id += 10_000_000
                    result = {
                        "backend": backend,
                        "workers": args.workers,
                        "concurrency": level,
                        "seconds": round(elapsed, 1),
                        "deliveries_ok": ok,
                        "deliveries_per_s": round(ok / elapsed),
                        "statuses": dict(statuses),
                    }
                    print(json.dumps(result), flush=True)
            finally:
                server.kill()
                server.wait(timeout=10)


if __name__ == "__main__":
    main()
