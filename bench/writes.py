"""What the tally triggers cost writers: webhook-style upserts at concurrency 16.

    python -m bench.writes [--seconds 10] [--threads 16] [--write docs/benchmarks.md]

Each transaction is what a status webhook does to ``calls``: ``INSERT … ON CONFLICT (user_id,
id) DO UPDATE`` of one call (a new call, or a status change of a recent one), committed
on its own. Runs once with the triggers and once with them disabled, on a fresh database,
all writers on the same user (the hot-row worst case) and then spread over 100 users.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import psycopg

from bench.load import _pg_conninfo, recreate_postgres
from bench.run import write_section
from callvault.migrations import upgrade_database

URL = "postgresql+psycopg://postgres@127.0.0.1:5432/callvault_bench_writes"
UPSERT = (
    "INSERT INTO calls (user_id, id, type, status, client_phone_number, client_phone_digits, "
    "transcript, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (user_id, id) DO UPDATE SET status = excluded.status, "
    "updated_at = excluded.updated_at"
)
STATUSES = ("initiated", "ringing", "in-progress", "completed")


def _prepare(users: int) -> None:
    recreate_postgres(URL)
    upgrade_database(URL)
    with psycopg.connect(_pg_conninfo(URL)) as connection:
        now = datetime(2026, 11, 1)
        connection.cursor().executemany(
            "INSERT INTO users (id, name, email, created_at, updated_at) "
            "VALUES (%s, %s, %s, %s, %s)",
            [(u, f"u{u}", f"u{u}@bench.local", now, now) for u in range(1, users + 1)],
        )


def _run(seconds: float, threads: int, users: int) -> float:
    done = [0] * threads
    stop = time.perf_counter() + seconds
    start = datetime(2026, 11, 1, 12)

    def writer(index: int) -> None:
        rng = random.Random(index)
        with psycopg.connect(_pg_conninfo(URL)) as connection:
            next_id = index * 10_000_000
            recent: list[tuple[int, int]] = []
            while time.perf_counter() < stop:
                if recent and rng.random() < 0.75:
                    user_id, call_id = rng.choice(recent)
                else:
                    next_id += 1
                    user_id, call_id = rng.randint(1, users), next_id
                    recent = [*recent[-50:], (user_id, call_id)]
                created = start + timedelta(seconds=call_id % 3600)
                connection.execute(
                    UPSERT,
                    (
                        user_id,
                        call_id,
                        "outbound",
                        rng.choice(STATUSES),
                        "+15550001111",
                        "15550001111",
                        "Hello " * 200,
                        created,
                        created,
                    ),
                )
                connection.commit()
                done[index] += 1

    workers = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(done) / seconds


def _triggers(enabled: bool) -> None:
    with psycopg.connect(_pg_conninfo(URL), autocommit=True) as connection:
        connection.execute(f"ALTER TABLE calls {'ENABLE' if enabled else 'DISABLE'} TRIGGER USER")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    _prepare(100)
    lines = []
    for users in (1, 100):
        for enabled in (False, True):
            _triggers(enabled)
            rate = _run(args.seconds, args.threads, users)
            label = "with tally triggers" if enabled else "triggers disabled"
            lines.append(f"| {users} | {label} | {rate:,.0f} |")
            print(lines[-1], flush=True)
    _triggers(True)
    body = (
        "### Write cost of the tallies (PostgreSQL)\n\n"
        f"Command: `python -m bench.writes --seconds {args.seconds:g} --threads {args.threads}`"
        " — one-row `INSERT … ON CONFLICT DO UPDATE` transactions (75% status updates of "
        f"recent calls), {args.threads} connections, each committing on its own.\n\n"
        "| users written | triggers | upserts/s |\n|---|---|---|\n" + "\n".join(lines) + "\n"
    )
    print(body)
    if args.write:
        write_section(args.write, "writes", body)


if __name__ == "__main__":
    main()
