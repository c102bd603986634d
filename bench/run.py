"""Load a dataset, serve it with uvicorn, and measure the list-query mix.

    python -m bench.run --backend postgresql --size 100000 [--write docs/benchmarks.md]

Per query and user: p50/p95/p99 at concurrency 1 through HTTP (keep-alive client), req/s at
concurrency 16 (wrk, or a threaded Python driver when wrk is missing), the floor (the same
service call in-process, no HTTP) and the naive baseline (COUNT(*) + OFFSET on the driver).
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select, text

from bench.generate import USERS, phone_of
from bench.load import dataset, load_postgres, load_sqlite, time_project_import
from callvault.calls import service
from callvault.calls.models import Call
from callvault.calls.schemas import parse_list_query
from callvault.calls.statements import ITEMS
from callvault.db.database import Database
from callvault.laravel.query import clean_query, parse_query
from callvault.tokens.service import issue_token
from callvault.unit_of_work import reading, writing

UTC = ZoneInfo("UTC")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


PORT = _free_port()


@dataclass
class Result:
    name: str
    user: str
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    rps: float = 0.0
    floor: float = 0.0
    naive: float = 0.0
    notes: list[str] = field(default_factory=list)


def _quantiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return at(0.50), at(0.95), at(0.99)


def _timed(action: Callable[[], object], count: int, budget: float) -> list[float]:
    for _ in range(3):
        action()
    samples: list[float] = []
    deadline = time.perf_counter() + budget
    while len(samples) < count and (len(samples) < 20 or time.perf_counter() < deadline):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def query_mix(db: Database, user_id: int) -> list[tuple[str, str]]:
    """(name, path?query) of the mix for one user, with values taken from their data."""
    with reading(db) as unit:
        session = unit.session
        total = session.scalar(
            select(text("count(*)")).select_from(Call).where(Call.user_id == user_id)
        )
        middle = session.execute(
            select(Call.id, Call.client_phone_number, Call.created_at)
            .where(Call.user_id == user_id)
            .order_by(Call.id)
            .offset(int(total or 1) // 2)
            .limit(1)
        ).first()
    call_id, phone, created = middle or (1, None, datetime(2026, 3, 15))
    day = created.strftime("%Y-%m-%d")
    month = created.strftime("%Y-%m")
    last = max(1, -(-int(total or 0) // 15))
    number = phone or phone_of(user_id, 0)
    calls = "/api/user/calls"
    return (
        [  # a user without calls (tiny smoke sizes) has no call to fetch by id
            ("default list", f"{calls}"),
            ("status", f"{calls}?status=completed"),
            ("type", f"{calls}?type=inbound"),
            ("assistant_id", f"{calls}?assistant_id=2"),
            ("campaign_id", f"{calls}?campaign_id=3"),
            ("one day", f"{calls}?date_from={day}&date_to={day}"),
            ("one month", f"{calls}?date_from={month}-01&date_to={month}-28"),
            (
                "status+type+month",
                f"{calls}?status=completed&type=outbound&date_from={month}-01&date_to={month}-28",
            ),
            ("full phone", f"{calls}?phone_number={number.replace('+', '%2B')}"),
            ("4-digit phone", f"{calls}?phone_number={number[-4:]}"),
            ("per_page=100", f"{calls}?per_page=100"),
            ("page 1000", f"{calls}?page=1000"),
            ("last page", f"{calls}?page={last}"),
        ]
        + ([("one call by id", f"{calls}/{call_id}")] if middle is not None else [])
    )


def _floor_action(db: Database, user_id: int, url: str) -> Callable[[], object]:
    path, _, query_string = url.partition("?")
    if not path.endswith("/calls"):
        call_id = int(path.rsplit("/", 1)[1])

        def one() -> object:
            with reading(db) as unit:
                return service.get_call(unit.tenant(user_id), str(call_id), call_id)

        return one
    query = parse_list_query(clean_query(parse_query(query_string.encode())), UTC)

    def listing() -> object:
        with reading(db) as unit:
            return service.list_calls(unit.tenant(user_id), query)

    return listing


def _naive_action(db: Database, user_id: int, url: str) -> Callable[[], object] | None:
    path, _, query_string = url.partition("?")
    if not path.endswith("/calls"):
        return None
    query = parse_list_query(clean_query(parse_query(query_string.encode())), UTC)

    filters = query.filters
    conditions = [Call.user_id == user_id]
    for column, value in (
        (Call.status, filters.status),
        (Call.type, filters.type),
        (Call.assistant_id, filters.assistant_id),
        (Call.campaign_id, filters.campaign_id),
    ):
        if value is not None:
            conditions.append(column == value)
    if filters.phone_digits is not None:
        conditions.append(Call.client_phone_digits.contains(filters.phone_digits))
    if filters.created_from is not None:
        conditions.append(Call.created_at >= filters.created_from)
    if filters.created_before is not None:
        conditions.append(Call.created_at < filters.created_before)

    def naive() -> object:
        """The textbook pair: COUNT(*) and ORDER BY … OFFSET over the same conditions."""
        with db.connect() as connection:
            total = connection.scalar(select(func.count()).select_from(Call).where(*conditions))
            statement = (
                ITEMS.where(*conditions)
                .order_by(Call.created_at.desc(), Call.id.desc())
                .offset((query.page - 1) * query.per_page)
                .limit(query.per_page)
            )
            return total, connection.execute(statement).all()

    return naive


def _throughput(url: str, token: str, seconds: float) -> float:
    headers = f"Authorization: Bearer {token}"
    if shutil.which("wrk"):
        output = subprocess.run(
            ["wrk", "-t2", "-c16", f"-d{seconds}s", "-H", headers, url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        if "Non-2xx" in output:
            raise RuntimeError(f"errors under load:\n{output}")
        match = re.search(r"Requests/sec:\s+([\d.]+)", output)
        return float(match.group(1)) if match else 0.0
    done = [0]
    stop = time.perf_counter() + seconds

    def drive() -> None:
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
            while time.perf_counter() < stop:
                client.get(url).raise_for_status()
                done[0] += 1

    threads = [threading.Thread(target=drive) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0] / seconds


def _rss_mb(pid: int) -> list[float]:
    """Resident memory of the server's worker processes (children of ``pid``)."""
    found: list[float] = []
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        pending.extend(int(c) for c in children)
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match and current != pid:
            found.append(int(match.group(1)) / 1024)
    return found


def _serve(url: str, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CALLVAULT_DATABASE_URL": url,
        "CALLVAULT_TOKEN_TOUCH_INTERVAL": "3600",
        "CALLVAULT_ACCESS_LOG": "false",  # the production setting behind a logging proxy
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "callvault"),
            "serve",
            "--port",
            str(PORT),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline and server.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/healthz").status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.kill()
    raise RuntimeError("server did not start")


def measure(url: str, args: argparse.Namespace) -> tuple[list[Result], list[float]]:
    db = Database(url, pool_size=4)
    users = {"largest": 1, "median": USERS // 2 + 1}
    tokens: dict[int, str] = {}
    with writing(db) as unit:
        for user_id in users.values():
            tokens[user_id] = issue_token(unit.tenant(user_id), name="bench").plain_text
    server = _serve(url, args.workers)
    results: list[Result] = []
    rss: list[float] = []
    try:
        # The latency client is the standard library's: one keep-alive connection, about
        # 0.25 ms of CPU per 33 KB page against httpx's 0.75 ms on the same (shared) cores.
        # A new one per query: the server closes a connection idle for 5 s (floor, naive
        # and wrk runs come in between).
        client = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        try:
            for label, user_id in users.items():
                headers = {"Authorization": f"Bearer {tokens[user_id]}"}
                for name, path in query_mix(db, user_id):
                    result = Result(name, label)
                    client.close()
                    client = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)

                    def get(
                        path: str = path,
                        headers: dict[str, str] = headers,
                        client: http.client.HTTPConnection = client,
                    ) -> None:
                        client.request("GET", path, headers=headers)
                        response = client.getresponse()
                        response.read()
                        if response.status != 200:
                            raise RuntimeError(f"{path}: HTTP {response.status}")

                    samples = _timed(get, args.requests, args.budget)
                    result.p50, result.p95, result.p99 = _quantiles(samples)
                    result.floor = _quantiles(
                        _timed(_floor_action(db, user_id, path), args.requests, args.budget)
                    )[0]
                    naive = _naive_action(db, user_id, path)
                    if naive is not None:
                        result.naive = _quantiles(
                            _timed(naive, max(5, args.requests // 4), args.budget)
                        )[0]
                    result.rps = _throughput(
                        f"http://127.0.0.1:{PORT}{path}", tokens[user_id], args.seconds
                    )
                    results.append(result)
                    print(_row(result), flush=True)
        finally:
            client.close()
        rss = _rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        db.dispose()
    return results, rss


def _row(r: Result) -> str:
    naive = f"{r.naive / r.floor:.1f}×" if r.naive and r.floor else "–"
    return (
        f"| {r.user} | {r.name} | {r.p50:.2f} | {r.p95:.2f} | {r.p99:.2f} | {r.rps:.0f} | "
        f"{r.floor:.2f} | {r.p50 / r.floor:.1f}× (+{r.p50 - r.floor:.2f}) | "
        f"{r.naive:.2f} | {naive} |"
        if r.floor
        else f"| {r.user} | {r.name} | {r.p50:.2f} | – |"
    )


def _versions(url: str) -> str:
    import fastapi
    import sqlalchemy
    import uvicorn

    db = Database(url, pool_size=1)
    sqlite = db.backend.name == "sqlite"
    with reading(db) as unit:
        session = unit.session
        server = session.scalar(
            text(
                "SELECT sqlite_version()" if db.backend.name == "sqlite" else "SHOW server_version"
            )
        )
    db.dispose()
    memory = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    return (
        f"{os.cpu_count()} cores, {int(memory) // 1024 // 1024} GiB RAM, "
        f"Python {platform.python_version()}, {'SQLite' if sqlite else 'PostgreSQL'} "
        f"{server}, SQLAlchemy {sqlalchemy.__version__}, FastAPI {fastapi.__version__}, "
        f"uvicorn {uvicorn.__version__}, latency client http.client, load driver "
        f"{'wrk (-t2 -c16)' if shutil.which('wrk') else 'Python threads (16)'}"
    )


def report(
    args: argparse.Namespace,
    url: str,
    timings: dict[str, float],
    results: list[Result],
    rss: list[float],
    imported: str,
) -> str:
    data = dataset(args.size)
    largest = data.counts[0]
    median = data.counts[USERS // 2]
    load = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
    header = (
        f"### {args.backend}, {args.size:,} calls\n\n"
        f"Command: `{' '.join(['python', '-m', 'bench.run', *sys.argv[1:]])}`  \n"
        f"Machine: {_versions(url)}; {args.workers} uvicorn workers.  \n"
        f"Data: 1,000 users, largest {largest:,} calls, median {median:,}; timings: {load}; "
        f"project import (`callvault import`, JSONL, into a new user): {imported}.  \n"
        f"Server RSS per worker after the mix: "
        f"{', '.join(f'{m:.0f} MB' for m in rss) or 'n/a'}.\n\n"
        "Latencies in ms. *floor*: the same service call in-process (no HTTP); "
        "*naive*: COUNT(*) + OFFSET on the driver, and its p50 over the floor's.\n\n"
        "| user | query | p50 | p95 | p99 | req/s c16 | floor p50 | HTTP/floor | naive p50 | "
        "naive/floor |\n|---|---|---|---|---|---|---|---|---|---|\n"
    )
    return header + "\n".join(_row(r) for r in results) + "\n"


def write_section(path: Path, marker: str, body: str) -> None:
    begin, end = f"<!-- bench:{marker} -->", f"<!-- /bench:{marker} -->"
    content = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{begin}\n{body}{end}"
    if begin in content:
        head, _, rest = content.partition(begin)
        _, _, tail = rest.partition(end)
        content = head + block + tail
    else:
        content = content.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(content)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--url", help="database URL (default: a bench database)")
    parser.add_argument(
        "--workers", type=int, default=3, help="uvicorn workers (recommended: cores + 1)"
    )
    parser.add_argument("--requests", type=int, default=200, help="per query at concurrency 1")
    parser.add_argument("--budget", type=float, default=3.0, help="seconds per latency run")
    parser.add_argument("--seconds", type=int, default=3, help="seconds per throughput run")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--write", type=Path, help="markdown file to update")
    args = parser.parse_args(argv)
    url = args.url or (
        f"postgresql+psycopg://postgres@127.0.0.1:5432/callvault_bench_{args.size}"
        if args.backend == "postgresql"
        else f"sqlite:///bench/data/bench_{args.size}.db"
    )
    Path("bench/data").mkdir(parents=True, exist_ok=True)
    timings: dict[str, Any] = {}
    if not args.skip_load:
        loader = load_postgres if args.backend == "postgresql" else load_sqlite
        timings = loader(url, args.size)
        print(f"loaded: {timings}", flush=True)
    results, rss = measure(url, args)
    imported = time_project_import(url, min(20_000, max(1000, args.size // 10)))
    body = report(args, url, timings, results, rss, imported)
    print(body)
    if args.write:
        write_section(args.write, f"{args.backend}-{args.size}", body)


if __name__ == "__main__":
    main()
