"""The bulk write paths of ``import`` (``COPY`` on PostgreSQL, ``executemany`` with paused
row triggers on SQLite) store exactly what the row-by-row path stores, tallies included."""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from callvault.calls.upsert import COPY_FROM, UPSERT_COLUMNS, CallUpsert
from callvault.db.base import utcnow
from callvault.db.database import Database
from tests.calls.test_tallies import _tallies_match_calls
from tests.conftest import Tenant, read_session
from tests.ingest.test_transfer import invoke, write_lines

STATUSES = ("initiated", "in-progress", "completed", "failed", "busy")


def _line(rng: random.Random, call_id: int, status: str | None = None) -> str:
    day = rng.randint(1, 28)
    return json.dumps(
        {
            "id": call_id,
            "type": rng.choice(("inbound", "outbound", "web")),
            "status": status or rng.choice(STATUSES),
            "assistant_id": rng.choice((None, 1, 2, 3)),
            "campaign_id": rng.choice((None, 1, 2)),
            "client_phone_number": f"+1 (555) {rng.randrange(10**7):07d}",
            "transcript": "Здравей 👋 " * rng.randint(0, 40),
            "variables": {"n": rng.randint(0, 10**18), "big": 10**25, "list": [1, 2.5, None]},
            "evaluation": None if rng.random() < 0.3 else {"score": rng.random()},
            "total_cost": rng.choice((None, 0.25, 1e-7)),
            "created_at": f"2025-0{rng.randint(1, 9)}-{day:02d} 12:{rng.randint(0, 59):02d}:00",
        },
        ensure_ascii=False,
    )


@pytest.fixture
def cli(db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("CALLVAULT_DATABASE_URL", database_url)
    monkeypatch.delenv("CALLVAULT_DISPLAY_TIMEZONE", raising=False)
    return CliRunner()


def _paused_rows(db: Database) -> int:
    if db.backend.name != "sqlite":
        return 0
    with read_session(db) as session:
        return int(session.execute(text("SELECT count(*) FROM call_counts_paused")).scalar_one())


def test_bulk_batches_keep_tallies_exact_through_inserts_and_merges(
    cli: CliRunner, tenant: Tenant, db: Database, tmp_path: Path, client
) -> None:
    rng = random.Random(7)
    first = [_line(rng, n) for n in range(1, 701)]
    first += [_line(rng, n, "completed") for n in range(1, 60)]  # later observations, same file
    path = write_lines(tmp_path / "first.jsonl", first)
    output = invoke(cli, "import", str(path), "--user", tenant.user.email, "--batch-size", "250")
    assert "700 created" in output
    _tallies_match_calls(db)
    assert _paused_rows(db) == 0

    second = [_line(rng, n, "ended") for n in range(500, 900)]  # 201 updates, 199 new
    path = write_lines(tmp_path / "second.jsonl", second)
    output = invoke(cli, "import", str(path), "--user", tenant.user.email, "--batch-size", "300")
    assert "199 created, 201 updated, 0 unchanged" in output
    _tallies_match_calls(db)
    page = tenant.get(client, "/api/user/calls", params={"status": "ended"}).json()
    assert page["total"] >= 400

    stored = {json.loads(line)["id"]: json.loads(line) for line in second}
    exported = invoke(cli, "export", "--user", tenant.user.email, "--status", "ended")
    for line in exported.splitlines()[:-1]:
        item = json.loads(line)
        sent = stored[item["id"]]
        assert item["variables"] == sent["variables"]  # 10**25 stays an exact integer
        assert item["transcript"] == sent["transcript"]
        assert item["client_phone_number"] == sent["client_phone_number"]


def test_copy_path_returns_only_rows_it_really_inserted(tenant: Tenant, db: Database) -> None:
    """A concurrent writer may take an id between the look and the insert (PostgreSQL)."""
    if db.backend.name == "sqlite":
        pytest.skip("SQLite's single writer holds the lock from the look to the insert")
    now = utcnow()
    taken = tenant.add_call(id=5, status="failed")
    rows = [
        {
            "id": call_id,
            "assistant_id": None,
            "campaign_id": None,
            "type": "web",
            "duration": 3,
            "assistant_phone_number": None,
            "client_phone_number": "+15550001",
            "client_phone_digits": "15550001",
            "status": "completed",
            "transcript": "t",
            "variables": {"k": [1]},
            "evaluation": None,
            "webhook_response": None,
            "carrier_cost": None,
            "total_cost": 0.5,
            "answered_by": None,
            "recording_url": None,
            "created_at": now,
            "updated_at": now,
        }
        for call_id in range(1, COPY_FROM + 10)
    ]
    with tenant.write() as view:
        inserted = CallUpsert.of(view).insert_new(rows)
    assert inserted == set(range(1, COPY_FROM + 10)) - {5}
    with read_session(db) as session:
        status = session.execute(
            text("SELECT status FROM calls WHERE user_id = :u AND id = 5"), {"u": tenant.user.id}
        ).scalar_one()
    assert status == taken["status"] == "failed"
    _tallies_match_calls(db)


def test_a_failed_bulk_insert_leaves_no_pause_and_no_tally(tenant: Tenant, db: Database) -> None:
    tenant.add_call(id=1)
    now = utcnow()
    rows = [
        {
            "id": call_id,
            # The last row names an assistant that does not exist: the foreign key refuses it.
            "assistant_id": 404 if call_id == COPY_FROM + 1 else None,
            "campaign_id": None,
            "type": "inbound",
            "duration": None,
            "assistant_phone_number": None,
            "client_phone_number": None,
            "client_phone_digits": None,
            "status": "completed",
            "transcript": None,
            "variables": None,
            "evaluation": None,
            "webhook_response": None,
            "carrier_cost": None,
            "total_cost": None,
            "answered_by": None,
            "recording_url": None,
            "created_at": now,
            "updated_at": now,
        }
        for call_id in range(2, COPY_FROM + 2)
    ]
    with pytest.raises(IntegrityError), tenant.write() as view:
        CallUpsert.of(view).insert_new(rows)
    assert _paused_rows(db) == 0
    with read_session(db) as session:
        count = session.execute(text("SELECT count(*) FROM calls")).scalar_one()
    assert count == 1
    _tallies_match_calls(db)
    tenant.add_call(id=2)  # the row trigger counts again after the failure
    _tallies_match_calls(db)


def test_update_many_overwrites_every_column_of_every_row(tenant: Tenant, db: Database) -> None:
    """One statement for the batch on PostgreSQL, per row on SQLite: the same stored result,
    nulls, unicode JSON, floats and times included, and the tallies follow."""
    tenant.add_assistant(1, "A")
    tenant.add_campaign(2, "C")
    for call_id in (1, 2, 3):
        tenant.add_call(id=call_id, variables={"old": True}, evaluation={"score": 1})
    later = datetime(2026, 1, 2, 3, 4, 5)
    new_values = {
        1: {
            "assistant_id": 1,
            "campaign_id": 2,
            "type": "web",
            "duration": 7,
            "assistant_phone_number": "+1800",
            "client_phone_number": "+359 88 123",
            "client_phone_digits": "35988123",
            "status": "ended_by_customer",
            "transcript": 'Здравей 👋 "quoted" \\ back',
            "variables": {"имя": "Ана", "n": [1, 2.5, None], "nested": {"k": "✓"}},
            "evaluation": [],
            "webhook_response": {"ok": True},
            "carrier_cost": 1e-7,
            "total_cost": 12.0,
            "answered_by": "machine",
            "recording_url": "https://r.example/1.mp3",
            "created_at": later,
            "updated_at": later,
        },
        3: dict.fromkeys(UPSERT_COLUMNS)
        | {"type": "inbound", "status": "failed", "created_at": later, "updated_at": later},
    }
    with tenant.write() as view:
        CallUpsert.of(view).update_many(
            [{"id": call_id, **values} for call_id, values in new_values.items()]
        )
    with tenant.write() as view:
        stored = CallUpsert.of(view).lock_existing([1, 2, 3])
    assert stored[1] == new_values[1]
    assert stored[3] == new_values[3]
    assert stored[2]["variables"] == {"old": True}  # untouched
    _tallies_match_calls(db)
