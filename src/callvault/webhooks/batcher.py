"""Group commit for webhook deliveries: many concurrent deliveries, one transaction.

Each delivery with a valid payload waits on a future; one writer task per app drains
whatever is queued (up to ``MAX_BATCH``), authenticates and stores it all in one unit of
work and only then resolves the futures, so every 2xx still follows its own commit. A
delivery refused (404/401) gets its refusal; if a batch fails, its deliveries are retried
one by one, so one bad delivery cannot fail its neighbours.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from callvault.db.database import Database
from callvault.errors import CallvaultError
from callvault.webhooks.service import Delivery, Event, store_deliveries

MAX_BATCH = 256
logger = logging.getLogger("callvault.webhooks")


@dataclass
class _Pending:
    delivery: Delivery
    event: Event
    done: asyncio.Future[str]


class DeliveryBatcher:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self.writer: asyncio.Task[None] | None = None

    async def submit(self, delivery: Delivery, event: Event) -> str:
        """Authenticate and store the event; its outcome once the transaction has committed.

        Raises the refusal (``UnknownEndpoint``, ``Unauthenticated``) of an inauthentic one.
        """
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self._write_forever())
        done: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        await self.queue.put(_Pending(delivery, event, done))
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
                _settle(pending, outcome)

    async def _store_alone(self, pending: _Pending) -> None:
        try:
            [outcome] = await run_in_threadpool(self._store, [pending])
        except Exception as error:  # handed to the waiting request
            _settle(pending, error)
        else:
            _settle(pending, outcome)

    def _store(self, batch: list[_Pending]) -> list[str | CallvaultError]:
        with self.database.write() as session:
            return store_deliveries(session, [(p.delivery, p.event) for p in batch])


def _settle(pending: _Pending, outcome: str | Exception) -> None:
    if pending.done.done():
        return
    if isinstance(outcome, Exception):
        pending.done.set_exception(outcome)
    else:
        pending.done.set_result(outcome)
