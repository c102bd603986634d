"""Group commit for webhook deliveries: many concurrent deliveries, one transaction.

Each accepted delivery waits on a future; one writer task per app drains whatever is
queued (up to ``MAX_BATCH``), stores it all in one unit of work and only then resolves the
futures, so every 2xx still follows its own commit. If a batch fails, its deliveries are
retried one by one, so one bad delivery cannot fail its neighbours.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from callvault.db.database import Database
from callvault.webhooks.models import WebhookEndpoint
from callvault.webhooks.service import Event, apply_events

MAX_BATCH = 256
logger = logging.getLogger("callvault.webhooks")


@dataclass
class _Pending:
    endpoint: WebhookEndpoint
    event: Event
    done: asyncio.Future[str]


class DeliveryBatcher:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self.writer: asyncio.Task[None] | None = None

    async def submit(self, endpoint: WebhookEndpoint, event: Event) -> str:
        """Store the event; returns its outcome once the transaction has committed."""
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self._write_forever())
        done: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        await self.queue.put(_Pending(endpoint, event, done))
        return await done

    async def _write_forever(self) -> None:
        while True:
            batch = [await self.queue.get()]
            while len(batch) < MAX_BATCH and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                outcomes = await run_in_threadpool(self._store, batch)
            except Exception:  # isolate the failing delivery below
                for pending in batch:
                    await self._store_alone(pending)
                continue
            for pending, outcome in zip(batch, outcomes, strict=True):
                if not pending.done.done():
                    pending.done.set_result(outcome)

    async def _store_alone(self, pending: _Pending) -> None:
        try:
            [outcome] = await run_in_threadpool(self._store, [pending])
        except Exception as error:  # handed to the waiting request
            if not pending.done.done():
                pending.done.set_exception(error)
        else:
            if not pending.done.done():
                pending.done.set_result(outcome)

    def _store(self, batch: list[_Pending]) -> list[str]:
        with self.database.write() as session:
            return _apply(session, batch)


def _apply(session: Session, batch: list[_Pending]) -> list[str]:
    """Apply the batch user by user (in id order, so concurrent writers lock alike)."""
    by_user: dict[int, list[int]] = defaultdict(list)
    for index, pending in enumerate(batch):
        by_user[pending.endpoint.user_id].append(index)
    outcomes: list[str] = [""] * len(batch)
    for user_id in sorted(by_user):
        indexes = by_user[user_id]
        results = apply_events(
            session, user_id, [(batch[i].endpoint, batch[i].event) for i in indexes]
        )
        for index, outcome in zip(indexes, results, strict=True):
            outcomes[index] = outcome
    return outcomes
