"""The server's own cost of one request: the ASGI app driven in-process, no socket, no client.

    python -m bench.inprocess --url postgresql+psycopg://127.0.0.1/callvault_bench_100000 \
        [--path '/api/user/calls?status=completed'] [--requests 2000] [--profile]

Prints the mean time per request through the app (routing, auth, validation, SQL, JSON)
next to the floor (the same service call on the database, no HTTP layer), so the Python
overhead of the web layer is visible without uvicorn and a load generator sharing the CPU.
``--profile`` prints the functions that cost the most (cProfile, by own time).
Run it under ``valgrind --tool=callgrind`` for instruction counts that do not depend on
what else the machine is doing.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
from typing import Any
from zoneinfo import ZoneInfo

from callvault.api.app import create_fastapi
from callvault.api.deps import AppContext
from callvault.api.middleware import LaravelRouting
from callvault.calls import service
from callvault.calls.schemas import parse_list_query
from callvault.config import Settings
from callvault.db.database import Database
from callvault.laravel.query import clean_query, parse_query
from callvault.tokens.service import issue_token
from callvault.unit_of_work import reading, writing


def _scope(path: str, token: str) -> dict[str, Any]:
    route, _, query = path.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": route,
        "raw_path": route.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"authorization", f"Bearer {token}".encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def _drive(app: Any, scope: dict[str, Any], count: int) -> tuple[float, float]:
    """Wall and CPU seconds (this process, every thread) for ``count`` requests, one after
    another; fails on a non-200 answer."""

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(count):
        await app(dict(scope), receive, send)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if any(status != 200 for status in statuses):
        raise SystemExit(f"unexpected statuses: {sorted(set(statuses))}")
    return elapsed, cpu


def _floor(database: Database, user_id: int, query_string: str, count: int) -> float:
    query = parse_list_query(clean_query(parse_query(query_string.encode())), ZoneInfo("UTC"))
    started = time.perf_counter()
    for _ in range(count):
        with reading(database) as unit:
            service.list_calls(unit.tenant(user_id), query)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="database URL of a loaded bench database")
    parser.add_argument("--path", default="/api/user/calls")
    parser.add_argument("--user", type=int, default=1, help="user id (1 is the largest)")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--skip-floor", action="store_true", help="only drive the app")
    args = parser.parse_args(argv)

    settings = Settings(database_url=args.url)
    database = Database(args.url)
    with writing(database) as unit:
        token = issue_token(unit.tenant(args.user), name="inprocess").plain_text
    fastapi = create_fastapi(settings)
    fastapi.state.context = AppContext(settings, database)
    app = LaravelRouting(fastapi)
    scope = _scope(args.path, token)

    asyncio.run(_drive(app, scope, 50))  # warm up: statement caches, pool, imports
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
    elapsed, cpu = asyncio.run(_drive(app, scope, args.requests))
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(40)
    route, _, query_string = args.path.partition("?")
    per_request = elapsed / args.requests * 1000
    line = (
        f"{args.path}: {per_request:.3f} ms/request through the app"
        f" ({cpu / args.requests * 1000:.3f} ms CPU in this process)"
    )
    if route == "/api/user/calls" and not args.skip_floor:
        floor = _floor(database, args.user, query_string, args.requests) / args.requests * 1000
        line += f", floor {floor:.3f} ms, overhead {per_request - floor:.3f} ms"
    print(line)
    database.dispose()


if __name__ == "__main__":
    main()
