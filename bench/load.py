"""Fill a fresh database with the benchmark dataset (COPY on PostgreSQL).

The tally triggers fire during the load (COPY fires statement triggers too), so the
maintained counts are exactly what the service would have built call by call.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from bench.generate import ASSISTANTS, CAMPAIGNS, USERS, Dataset, calls_per_user, user_calls
from callvault.migrations import upgrade_database

COLUMNS = (
    "user_id, id, assistant_id, campaign_id, type, duration, assistant_phone_number, "
    "client_phone_number, client_phone_digits, status, transcript, variables, evaluation, "
    "webhook_response, carrier_cost, total_cost, answered_by, recording_url, created_at, "
    "updated_at"
)
NOW = datetime(2026, 11, 1)


def _pg_conninfo(url: str) -> str:
    parsed = make_url(url)
    return (
        f"host={parsed.host or '127.0.0.1'} port={parsed.port or 5432} "
        f"user={parsed.username or 'postgres'} dbname={parsed.database}"
    )


def recreate_postgres(url: str) -> None:
    parsed = make_url(url)
    admin = f"host={parsed.host} port={parsed.port or 5432} user={parsed.username} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{parsed.database}"')


Rows = list[tuple[object, ...]]


def _references(user_id: int) -> tuple[Rows, Rows, Rows]:
    user: tuple[object, ...] = (
        user_id,
        f"Bench user {user_id}",
        f"user{user_id}@bench.local",
        NOW,
        NOW,
    )
    assistants: Rows = [
        (user_id, i, f"Assistant {i}", f"+1800555{i:04d}", NOW, NOW)
        for i in range(1, ASSISTANTS + 1)
    ]
    campaigns: Rows = [(user_id, i, f"Campaign {i}", NOW, NOW) for i in range(1, CAMPAIGNS + 1)]
    return [user], assistants, campaigns


ANALYZE_LOADED = "ANALYZE calls, call_counts, call_count_deltas, call_phone_suffixes"


def load_postgres(url: str, total: int, seed: int = 42) -> dict[str, float]:
    """Recreate, migrate and COPY the dataset; returns timings in seconds."""
    recreate_postgres(url)
    upgrade_database(url)
    counts = calls_per_user(total)
    started = time.perf_counter()
    with psycopg.connect(_pg_conninfo(url)) as connection, connection.cursor() as cursor:
        for user_id in range(1, USERS + 1):
            users, assistants, campaigns = _references(user_id)
            cursor.executemany(
                "INSERT INTO users (id, name, email, created_at, updated_at) "
                "VALUES (%s, %s, %s, %s, %s)",
                users,
            )
            cursor.executemany(
                "INSERT INTO assistants (user_id, id, name, phone_number, created_at, "
                "updated_at) VALUES (%s, %s, %s, %s, %s, %s)",
                assistants,
            )
            cursor.executemany(
                "INSERT INTO campaigns (user_id, id, name, created_at, updated_at) "
                "VALUES (%s, %s, %s, %s, %s)",
                campaigns,
            )
        cursor.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), %s)", (USERS,))
        connection.commit()
        for user_id, count in enumerate(counts, start=1):
            rows = user_calls(user_id, count, seed)
            while True:
                with cursor.copy(f"COPY calls ({COLUMNS}) FROM STDIN") as copy:
                    written = 0
                    for row in rows:
                        copy.write_row(tuple(row.values()))
                        written += 1
                        if written == 50_000:
                            break
                if written < 50_000:
                    break
            if user_id % 50 == 0 or user_id == 1:
                connection.commit()
                # Fresh statistics for the triggers' statements: planned on the empty tables'
                # (autovacuum may be off, as on the benchmark machine) they slow the load
                # down as the tables grow (100k: 78 s without, 29 s with).
                cursor.execute(ANALYZE_LOADED)
                connection.commit()
        connection.commit()
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    with psycopg.connect(_pg_conninfo(url), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return {"load": loaded, "vacuum_analyze": time.perf_counter() - started}


def load_sqlite(url: str, total: int, seed: int = 42) -> dict[str, float]:
    """Recreate, migrate and insert the dataset in one transaction per user (triggers fire)."""
    path = Path(make_url(url).database or "bench.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    upgrade_database(url)
    counts = calls_per_user(total)
    started = time.perf_counter()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("BEGIN")
    for user_id in range(1, USERS + 1):
        users, assistants, campaigns = _references(user_id)
        connection.executemany(
            "INSERT INTO users (id, name, email, created_at, updated_at) VALUES (?,?,?,?,?)",
            [tuple(_sqlite_value(v) for v in row) for row in users],
        )
        connection.executemany(
            "INSERT INTO assistants VALUES (?,?,?,?,?,?)",
            [tuple(_sqlite_value(v) for v in row) for row in assistants],
        )
        connection.executemany(
            "INSERT INTO campaigns VALUES (?,?,?,?,?)",
            [tuple(_sqlite_value(v) for v in row) for row in campaigns],
        )
    placeholders = ",".join("?" * len(COLUMNS.split(",")))
    for user_id, count in enumerate(counts, start=1):
        connection.executemany(
            f"INSERT INTO calls ({COLUMNS}) VALUES ({placeholders})",
            (
                tuple(_sqlite_value(v) for v in row.values())
                for row in user_calls(user_id, count, seed)
            ),
        )
    connection.execute("COMMIT")
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    connection.execute("ANALYZE")
    connection.close()
    return {"load": loaded, "analyze": time.perf_counter() - started}


def _sqlite_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def time_project_import(url: str, count: int, seed: int = 42) -> str:
    """Time ``callvault import`` of ``count`` generated calls (JSONL) for a fresh user."""
    probe = subprocess.run(
        [_cli(), "import", "--help"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        return "not available (no `callvault import` yet)"
    env = {**os.environ, "CALLVAULT_DATABASE_URL": url}
    email = f"import{int(time.time())}@bench.local"
    subprocess.run(
        [_cli(), "users", "create", "--email", email, "--name", "Import"],
        env=env,
        capture_output=True,
        check=True,
    )
    path = Path("bench/data/import.jsonl")
    with path.open("w") as stream:
        for row in user_calls(USERS + 1, count, seed):
            item = {k: v for k, v in row.items() if k not in ("user_id", "client_phone_digits")}
            for key in ("variables", "evaluation"):
                item[key] = json.loads(str(item[key]))
            for key in ("created_at", "updated_at"):
                item[key] = f"{item[key]:%Y-%m-%d %H:%M:%S}"
            stream.write(json.dumps(item) + "\n")
    started = time.perf_counter()
    result = subprocess.run(
        [_cli(), "import", "--user", email, str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        return f"failed ({result.stderr.strip()[:200]})"
    return f"{count:,} calls in {elapsed:.1f} s ({count / elapsed:,.0f} calls/s, batch 2000)"


def _cli() -> str:
    return str(Path(sys.executable).parent / "callvault")


def dataset(total: int) -> Dataset:
    return Dataset(total, calls_per_user(total))
