"""Group commit: concurrent deliveries share a transaction; a failing one fails alone."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from callvault.calls.models import Call
from callvault.errors import Unauthenticated
from callvault.ingest.records import CallRecord
from callvault.ingest.service import IngestResult, ingest_calls
from callvault.users.models import User
from callvault.webhooks import service as service_module
from callvault.webhooks.batcher import DeliveryBatcher
from callvault.webhooks.models import WebhookDelivery
from callvault.webhooks.service import Delivery, Event, UnknownEndpoint, parse_event
from callvault.webhooks.signing import sign
from tests.ingest.conftest import Hook, call_payload, event, make_hook


def _signed(hook: Hook, call_id: int, secret: str | None = None) -> tuple[Delivery, Event]:
    body = json.dumps(event("call.completed", call_payload(call_id))).encode()
    now = int(time.time())
    delivery = Delivery(hook.id, sign(secret or hook.secret, now, body), body, now)
    return delivery, parse_event(body, ZoneInfo("UTC"))


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

    async def deliver() -> list[str | BaseException]:
        batcher = DeliveryBatcher(db)
        return list(
            await asyncio.gather(
                *(batcher.submit(delivery, parsed) for delivery, parsed in deliveries),
                return_exceptions=True,
            )
        )

    outcomes = asyncio.run(deliver())
    assert outcomes[0] == "created"
    assert isinstance(outcomes[1], UnknownEndpoint)
    assert outcomes[2] == "created"
    assert isinstance(outcomes[3], Unauthenticated)
    with db.read() as session:
        ids = session.scalars(select(Call.id).order_by(Call.id)).all()
        logged = session.scalar(select(func.count()).select_from(WebhookDelivery))
    assert ids == [1, 3]
    assert logged == 2


def test_a_failing_batch_is_retried_one_by_one(db, tenant, monkeypatch) -> None:
    hook = make_hook(db, tenant)
    real = ingest_calls

    def failing_for_call_2(
        session: Session, user_id: int, records: Sequence[CallRecord]
    ) -> IngestResult:
        if any(record.id == 2 for record in records):
            raise RuntimeError("the database refused call 2")
        return real(session, user_id, records)

    monkeypatch.setattr(service_module, "ingest_calls", failing_for_call_2)
    deliveries = [_signed(hook, n) for n in (1, 2, 3)]

    async def deliver() -> list[str | BaseException]:
        batcher = DeliveryBatcher(db)
        return list(
            await asyncio.gather(
                *(batcher.submit(delivery, parsed) for delivery, parsed in deliveries),
                return_exceptions=True,
            )
        )

    outcomes = asyncio.run(deliver())
    assert outcomes[0] == "created"
    assert isinstance(outcomes[1], RuntimeError)
    assert outcomes[2] == "created"
    with db.read() as session:
        ids = session.scalars(select(Call.id).order_by(Call.id)).all()
        logged = session.scalar(select(func.count()).select_from(WebhookDelivery))
    assert ids == [1, 3]
    assert logged == 2
