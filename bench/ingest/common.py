"""Shared pieces of the ingest benchmarks: fresh databases, a tenant, call payloads."""

from __future__ import annotations

import json
import random
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from callvault.db.database import Database
from callvault.migrations import upgrade_database
from callvault.unit_of_work import writing
from callvault.users.service import create_user
from callvault.webhooks import service as webhooks

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
STATUSES = ("completed", "ended", "failed", "no-answer", "busy", "ended_by_customer")
WORDS = ("hello", "thanks", "appointment", "tomorrow", "price", "offer", "call", "back", "yes")


@contextmanager
def fresh_database(backend: str, pg_url: str = DEFAULT_PG) -> Iterator[str]:
    """A new, migrated database of ``backend``; dropped (or deleted) afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="cv-bench-") as directory:
            url = f"sqlite:///{Path(directory) / 'bench.db'}"
            upgrade_database(url)
            yield url
        return
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    name = f"cv_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_database(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def tenant_with_endpoint(url: str, email: str = "bench@example.com") -> tuple[str, str]:
    """Create a user and a webhook endpoint; (endpoint id, secret)."""
    database = Database(url, pool_size=1)
    with writing(database) as unit:
        user = create_user(unit, name="bench", email=email)
        created = webhooks.create_endpoint(unit.tenant(user.id), "bench")
    database.dispose()
    return created.endpoint.id, created.secret


def call_item(rng: random.Random, call_id: int, status: str | None = None) -> dict[str, Any]:
    """A realistic call item (the list shape plus ids), about 600 bytes of JSON."""
    assistant = rng.randint(1, 5)
    campaign = rng.choice([None, 1, 2, 3, 4])
    day = rng.randint(1, 28)
    minute = rng.randint(0, 59)
    return {
        "id": call_id,
        "assistant_name": f"Assistant {assistant}",
        "campaign_name": None if campaign is None else f"Campaign {campaign}",
        "type": rng.choice(("inbound", "outbound", "web")),
        "duration": rng.randint(0, 900),
        "assistant_phone_number": f"+1202555{assistant:04d}",
        "client_phone_number": f"+1{rng.randint(2000000000, 9999999999)}",
        "status": status or rng.choice(STATUSES),
        "transcript": " ".join(rng.choice(WORDS) for _ in range(40)) + " — ✓",
        "variables": {"customer_name": "Ана Петрова", "order": rng.randint(1, 10**6)},
        "evaluation": {"sentiment": "positive", "score": round(rng.random() * 10, 1)},
        "webhook_response": None,
        "carrier_cost": round(rng.random() / 10, 4),
        "total_cost": round(rng.random() / 5, 4),
        "answered_by": "human",
        "recording_url": f"https://rec.example.com/{call_id}.mp3",
        "created_at": f"2025-08-{day:02d} 14:{minute:02d}:00",
        "updated_at": f"2025-08-{day:02d} 14:{minute:02d}:30",
        "assistant_id": assistant,
        "campaign_id": campaign,
    }


def write_jsonl(path: Path, lines: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for call_id in range(1, lines + 1):
            out.write(json.dumps(call_item(rng, call_id), ensure_ascii=False))
            out.write("\n")
