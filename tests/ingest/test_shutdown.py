"""Shutdown: queued deliveries are stored and answered, later ones get 503, nothing half done.

In process, the app's lifespan ends while a delivery is queued; then a real server gets
SIGTERM in the middle of a flood of signed deliveries — on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from callvault.api.app import create_fastapi
from callvault.calls.models import Call
from callvault.config import Settings
from callvault.db.database import Database
from callvault.webhooks.batcher import DeliveryBatcher
from callvault.webhooks.models import WebhookDelivery
from callvault.webhooks.signing import HEADER, sign
from tests.conftest import Tenant, read_session
from tests.ingest.conftest import Hook, call_payload, event, make_hook
from tests.ingest.servers import Server

THREADS = 16
FLOOD_SECONDS = 1.5  # before SIGTERM; the flood goes on until the server has gone


def _signed_post(hook: Hook, call_id: int) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(event("call.completed", call_payload(call_id), f"evt_{call_id}")).encode()
    return body, {HEADER: sign(hook.secret, int(time.time()), body)}


def _stored(db: Database, tenant: Tenant) -> tuple[list[int], list[int]]:
    """The tenant's call ids, and the call ids of their delivery-log rows (both sorted)."""
    with read_session(db) as session:
        calls = session.scalars(
            select(Call.id).where(Call.user_id == tenant.user.id).order_by(Call.id)
        ).all()
        logged = session.scalars(
            select(WebhookDelivery.call_id)
            .where(WebhookDelivery.status_code == 200)
            .order_by(WebhookDelivery.call_id)
        ).all()
    return list(calls), [call_id for call_id in logged if call_id is not None]


def test_lifespan_end_answers_queued_deliveries_and_refuses_later_ones(
    settings: Settings, db: Database, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = make_hook(db, tenant)
    storing, release = threading.Event(), threading.Event()
    real = DeliveryBatcher._store

    def held(self: DeliveryBatcher, batch: list[Any]) -> list[Any]:
        storing.set()
        if not release.wait(timeout=10):
            raise TimeoutError("never released")
        return real(self, batch)

    monkeypatch.setattr(DeliveryBatcher, "_store", held)
    app = create_fastapi(settings)

    async def scenario() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:

            async def post(call_id: int) -> httpx.Response:
                body, headers = _signed_post(hook, call_id)
                return await http.post(hook.path, content=body, headers=headers)

            async def post_once_shutdown_began() -> httpx.Response:
                while app.state.context.webhook_batcher.accepting:
                    await asyncio.sleep(0.01)
                response = await post(2)
                release.set()
                return response

            async with app.router.lifespan_context(app):
                queued = asyncio.create_task(post(1))
                while not storing.is_set():
                    await asyncio.sleep(0.01)
                late = asyncio.create_task(post_once_shutdown_began())
            # the lifespan has ended: call 1 committed before the engine was disposed
            assert _stored(db, tenant) == ([1], [1])
            return await queued, await late

    queued, late = asyncio.run(asyncio.wait_for(scenario(), timeout=30))
    assert (queued.status_code, queued.json()["outcome"]) == (200, "created")
    assert (late.status_code, late.json()) == (503, {"message": "Service Unavailable"})
    assert _stored(db, tenant) == ([1], [1])


@pytest.mark.slow
def test_sigterm_mid_flood_loses_no_acknowledged_delivery(
    database_url: str, db: Database, tenant: Tenant, tmp_path: Path
) -> None:
    hook = make_hook(db, tenant)
    server = Server(database_url, log=tmp_path / "server.log")
    server.start()
    call_ids = itertools.count(1)
    lock = threading.Lock()
    answers: dict[int, int] = {}  # call id: status
    unanswered: list[int] = []  # no response: stored or not, nobody was told
    answered_after_signal = 0
    signalled = threading.Event()

    def flood() -> None:
        nonlocal answered_after_signal
        with httpx.Client(base_url=server.base, timeout=10) as http:
            while True:
                with lock:
                    call_id = next(call_ids)
                body, headers = _signed_post(hook, call_id)
                try:
                    response = http.post(hook.path, content=body, headers=headers)
                except httpx.TransportError:
                    with lock:
                        unanswered.append(call_id)
                    if signalled.is_set():
                        return  # the server has closed its socket
                    continue
                with lock:
                    answers[call_id] = response.status_code
                    answered_after_signal += signalled.is_set()

    threads = [threading.Thread(target=flood, daemon=True) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(FLOOD_SECONDS)
        signalled.set()
        returncode = server.stop(signal.SIGTERM, timeout=30)
    finally:
        if server.process is not None and server.process.poll() is None:
            server.kill()
    for thread in threads:
        thread.join(timeout=15)
    log = (tmp_path / "server.log").read_text()
    assert not any(thread.is_alive() for thread in threads)
    assert returncode == -signal.SIGTERM, log  # uvicorn re-raises the signal once shut down
    assert "Traceback" not in log, log

    acknowledged = {call_id for call_id, status in answers.items() if 200 <= status < 300}
    refused = {call_id for call_id, status in answers.items() if status == 503}
    assert set(answers.values()) <= {200, 503}, sorted(set(answers.values()))
    assert len(acknowledged) > 100  # the flood was under way
    assert answered_after_signal > 0  # SIGTERM came mid-flood: some were still in flight
    calls, logged = _stored(db, tenant)
    assert acknowledged <= set(calls), sorted(acknowledged - set(calls))[:20]
    assert not refused & set(calls)
    assert calls == logged  # every stored call has its one delivery-log row, and vice versa
    assert set(calls) <= acknowledged | set(unanswered)
