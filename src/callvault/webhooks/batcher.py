"""Group commit for webhook deliveries: many concurrent deliveries, one transaction.

Each delivery with a valid payload waits on a future; writer tasks drain whatever is queued
(up to ``MAX_BATCH``), authenticate and store it all in one unit of work and only then
resolve the futures, so every 2xx still follows its own commit. On PostgreSQL several
writers run at once (``PG_WRITERS``): while one batch waits for its commit to reach the disk
the next is already being written; SQLite has one writer at a time, so it gets one. A
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
PG_WRITERS = 2
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
        self.writers: list[asyncio.Task[None]] = []
        self.writer_count = 1 if database.is_sqlite else PG_WRITERS

    async def submit(self, delivery: Delivery, event: Event) -> str:
        """Authenticate and store the event; its outcome once the transaction has committed.

        Raises the refusal (``UnknownEndpoint``, ``Unauthenticated``) of an inauthentic one.
        """
        self.writers = [writer for writer in self.writers if not writer.done()]
        while len(self.writers) < self.writer_count:
            self.writers.append(asyncio.create_task(self._write_forever()))
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
