"""Kill the server with SIGKILL while signed webhooks pour in; no acknowledged call is lost.

A client sends ``call.started`` and ``call.completed`` for every call (in both orders, some
twice), retrying each delivery until it gets a 2xx, while the server process is killed
three times and restarted. Afterwards every call is present exactly once, finished, with
the fields of its last event — on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from callvault.calls.models import Call
from callvault.db.database import Database
from callvault.webhooks.signing import HEADER, sign
from tests.conftest import read_session
from tests.ingest.conftest import Hook, call_payload
from tests.ingest.servers import Server

CALLS = int(os.environ.get("CALLVAULT_CRASH_CALLS", "1000"))  # raise it for a longer soak
KILLS = 3
THREADS = 8


def deliveries() -> list[tuple[int, dict[str, Any]]]:
    rng = random.Random(20261125)
    planned: list[tuple[int, dict[str, Any]]] = []
    for call_id in range(1, CALLS + 1):
        started = call_payload(
            call_id, status="in-progress", transcript=None, duration=None, total_cost=None
        )
        started["updated_at"] = "2025-08-04 14:30:05"
        done = call_payload(call_id, transcript=f"final {call_id} ✓", duration=call_id)
        events = [
            (call_id, {"event": "call.started", "id": f"s{call_id}", "call": started}),
            (call_id, {"event": "call.completed", "id": f"c{call_id}", "call": done}),
        ]
        if rng.random() < 0.5:
            events.reverse()  # completed first: the late started must not move it back
        if rng.random() < 0.2:
            events.append(events[0])  # a duplicate delivery
        planned.extend(events)
    rng.shuffle(planned)
    return planned


@pytest.mark.slow
def test_acknowledged_calls_survive_sigkill(database_url, db: Database, tenant) -> None:
    from tests.ingest.conftest import make_hook

    hook: Hook = make_hook(db, tenant)
    server = Server(database_url)
    server.start()
    planned = deliveries()
    acknowledged = 0
    lock = threading.Lock()
    failures: list[str] = []

    local = threading.local()
    opened: list[httpx.Client] = []

    def deliver(item: tuple[int, dict[str, Any]]) -> None:
        nonlocal acknowledged
        body = json.dumps(item[1]).encode()
        if not hasattr(local, "http"):
            local.http = httpx.Client(base_url=server.base, timeout=10)
            opened.append(local.http)
        http: httpx.Client = local.http
        for _attempt in range(2000):
            headers = {HEADER: sign(hook.secret, int(time.time()), body)}
            try:
                response = http.post(hook.path, content=body, headers=headers)
            except httpx.TransportError:
                time.sleep(0.05)
                continue
            if response.is_success:
                with lock:
                    acknowledged += 1
                return
            if response.status_code < 500:
                failures.append(f"{response.status_code} {response.text}")
                return
            time.sleep(0.05)
        failures.append("gave up")

    kills = 0

    def killer() -> None:
        nonlocal kills
        for round_ in range(1, KILLS + 1):
            while acknowledged < len(planned) * round_ // (KILLS + 1):
                time.sleep(0.01)
            server.kill()
            kills += 1
            time.sleep(0.2)
            server.start()

    chaos = threading.Thread(target=killer)
    chaos.start()
    try:
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(deliver, planned))
    finally:
        chaos.join(timeout=120)
        server.kill()
        for http in opened:
            http.close()
    assert failures == []
    assert kills == KILLS
    assert acknowledged == len(planned)
    with read_session(db) as session:
        user = tenant.user.id
        total = session.scalar(select(func.count()).select_from(Call).where(Call.user_id == user))
        rows = session.execute(
            select(Call.id, Call.status, Call.transcript, Call.duration, Call.total_cost)
            .where(Call.user_id == user)
            .order_by(Call.id)
        ).all()
    assert total == CALLS
    assert [tuple(row) for row in rows] == [
        (call_id, "completed", f"final {call_id} ✓", call_id, 0.025)
        for call_id in range(1, CALLS + 1)
    ]
