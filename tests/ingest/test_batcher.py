"""Group commit: concurrent deliveries share a transaction; a failing one fails alone;
stopping stores and answers every queued delivery and refuses later ones."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select

from callvault.calls.models import Call
from callvault.db.database import Database
from callvault.errors import Unauthenticated
from callvault.ingest.records import CallRecord
from callvault.ingest.service import IngestResult, ingest_calls
from callvault.unit_of_work import Tenant as TenantView
from callvault.users.models import User
from callvault.webhooks import service as service_module
from callvault.webhooks.batcher import MAX_BATCH, DeliveryBatcher, ShuttingDown
from callvault.webhooks.models import WebhookDelivery
from callvault.webhooks.service import Delivery, Event, UnknownEndpoint, parse_event
from callvault.webhooks.signing import sign
from tests.conftest import read_session
from tests.ingest.conftest import Hook, call_payload, event, make_hook


def _signed(hook: Hook, call_id: int, secret: str | None = None) -> tuple[Delivery, Event]:
    body = json.dumps(event("call.completed", call_payload(call_id))).encode()
    now = int(time.time())
    delivery = Delivery(hook.id, sign(secret or hook.secret, now, body), body, now)
    return delivery, parse_event(body, ZoneInfo("UTC"))


async def _deliver(
    db: Database, deliveries: list[tuple[Delivery, Event]]
) -> list[str | BaseException]:
    batcher = DeliveryBatcher(db)
    batcher.start()
    try:
        return list(
            await asyncio.gather(
                *(batcher.submit(delivery, parsed) for delivery, parsed in deliveries),
                return_exceptions=True,
            )
        )
    finally:
        await batcher.stop()


def test_refusals_and_failures_stay_with_their_delivery(db, tenant, make_tenant) -> None:
    gone = make_tenant("gone@example.com")
    good, stale = make_hook(db, tenant), make_hook(db, gone)
    with db.write() as session:  # the second endpoint's owner disappears meanwhile
        session.execute(delete(User).where(User.id == gone.user.id))
    deliveries = [
        _signed(good, 1),
        _signed(stale, 2),  # endpoint gone: 404
        _signed(good, 3),
        _signed(good, 4, secret="whsec_wrong"),  # bad signature: 401
    ]

    outcomes = asyncio.run(_deliver(db, deliveries))
    assert outcomes[0] == "created"
    assert isinstance(outcomes[1], UnknownEndpoint)
    assert outcomes[2] == "created"
    assert isinstance(outcomes[3], Unauthenticated)
    with read_session(db) as session:
        ids = session.scalars(select(Call.id).order_by(Call.id)).all()
        logged = session.scalar(select(func.count()).select_from(WebhookDelivery))
    assert ids == [1, 3]
    assert logged == 2


def test_a_failing_batch_is_retried_one_by_one(db, tenant, monkeypatch) -> None:
    hook = make_hook(db, tenant)
    real = ingest_calls

    def failing_for_call_2(tenant: TenantView, records: Sequence[CallRecord]) -> IngestResult:
        if any(record.id == 2 for record in records):
            raise RuntimeError("the database refused call 2")
        return real(tenant, records)

    monkeypatch.setattr(service_module, "ingest_calls", failing_for_call_2)
    deliveries = [_signed(hook, n) for n in (1, 2, 3)]

    outcomes = asyncio.run(_deliver(db, deliveries))
    assert outcomes[0] == "created"
    assert isinstance(outcomes[1], RuntimeError)
    assert outcomes[2] == "created"
    with read_session(db) as session:
        ids = session.scalars(select(Call.id).order_by(Call.id)).all()
        logged = session.scalar(select(func.count()).select_from(WebhookDelivery))
    assert ids == [1, 3]
    assert logged == 2


def test_stop_stores_and_answers_every_queued_delivery_then_refuses(db, tenant, monkeypatch):
    hook = make_hook(db, tenant)
    gate = threading.Event()
    real = DeliveryBatcher._store

    def held(self: DeliveryBatcher, batch: list[Any]) -> list[Any]:
        if not gate.wait(timeout=10):  # the first batch holds the others in the queue
            raise TimeoutError("the gate was never opened")
        return real(self, batch)

    monkeypatch.setattr(DeliveryBatcher, "_store", held)
    deliveries = [_signed(hook, n) for n in range(1, 601)]  # more than two batches

    async def deliver_then_stop() -> tuple[list[str | BaseException], list[int]]:
        batcher = DeliveryBatcher(db)
        batcher.start()
        waiting = [asyncio.create_task(batcher.submit(d, parsed)) for d, parsed in deliveries]
        while batcher.queue.qsize() < len(deliveries) - MAX_BATCH * batcher.writer_count:
            await asyncio.sleep(0.01)
        stopping = asyncio.create_task(batcher.stop())
        await asyncio.sleep(0.05)
        with pytest.raises(ShuttingDown):
            await batcher.submit(*_signed(hook, 999))
        gate.set()
        await asyncio.wait_for(stopping, timeout=30)
        with read_session(db) as session:  # stored before stop() returned
            stored = list(session.scalars(select(Call.id).order_by(Call.id)))
        assert all(writer.done() for writer in batcher.writers)
        return list(await asyncio.gather(*waiting, return_exceptions=True)), stored

    outcomes, stored = asyncio.run(deliver_then_stop())
    assert outcomes == ["created"] * len(deliveries)
    assert stored == list(range(1, 601))
