"""Group commit: concurrent deliveries share a transaction; a failing one fails alone."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select

from callvault.calls.models import Call
from callvault.users.models import User
from callvault.webhooks.batcher import DeliveryBatcher
from callvault.webhooks.models import WebhookDelivery
from callvault.webhooks.repository import find_endpoint
from callvault.webhooks.service import parse_event
from tests.ingest.conftest import call_payload, event, make_hook


def test_a_failing_delivery_does_not_fail_its_batch(db, tenant, make_tenant) -> None:
    import json

    gone = make_tenant("gone@example.com")
    hooks = [make_hook(db, tenant), make_hook(db, gone)]
    with db.read() as session:
        good, stale = (find_endpoint(session, hook.id) for hook in hooks)
    with db.write() as session:  # the second endpoint's owner disappears meanwhile
        session.execute(delete(User).where(User.id == gone.user.id))
    zone = ZoneInfo("UTC")
    first = parse_event(json.dumps(event("call.completed", call_payload(1))).encode(), zone)
    second = parse_event(json.dumps(event("call.completed", call_payload(2))).encode(), zone)
    also = parse_event(json.dumps(event("call.completed", call_payload(3))).encode(), zone)

    async def deliver() -> list[str | BaseException]:
        batcher = DeliveryBatcher(db)
        return list(
            await asyncio.gather(
                batcher.submit(good, first),  # type: ignore[arg-type]
                batcher.submit(stale, second),  # type: ignore[arg-type]
                batcher.submit(good, also),  # type: ignore[arg-type]
                return_exceptions=True,
            )
        )

    outcomes = asyncio.run(deliver())
    assert outcomes[0] == "created"
    assert isinstance(outcomes[1], Exception)
    assert outcomes[2] == "created"
    with db.read() as session:
        ids = session.scalars(select(Call.id).order_by(Call.id)).all()
        logged = session.scalar(select(func.count()).select_from(WebhookDelivery))
    assert ids == [1, 3]
    assert logged == 2
