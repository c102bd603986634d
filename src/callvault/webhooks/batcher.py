"""Group commit for webhook deliveries: many concurrent deliveries, one transaction.

Each delivery with a valid payload waits on a future; writer tasks drain whatever is queued
(up to ``MAX_BATCH``), authenticate and store it all in one unit of work and only then
resolve the futures, so every 2xx still follows its own commit. On PostgreSQL several
writers run at once (``Backend.webhook_writers``): while one batch waits for its commit to
reach the disk the next is already being written; SQLite has one writer at a time, so it gets one. A
delivery refused (404/401) gets its refusal; if a batch fails, its deliveries are retried
one by one, so one bad delivery cannot fail its neighbours.

The app's lifespan starts the writers and stops them: from then on deliveries are refused
with 503, every one already queued is still stored and answered, and the writers end.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from callvault.db.database import Database
from callvault.db.failures import is_unavailable
from callvault.errors import CallvaultError
from callvault.unit_of_work import reading, writing
from callvault.webhooks.service import (
    Delivery,
    Event,
    authenticate_delivery,
    log_rejection,
    store_deliveries,
)

MAX_BATCH = 256


class ShuttingDown(CallvaultError):
    """A delivery that arrived after shutdown began: nothing stored, the sender retries."""

    status_code = 503

    def __init__(self) -> None:
        super().__init__("Service Unavailable")


@dataclass
class _Pending:
    delivery: Delivery
    event: Event
    done: asyncio.Future[str]


class DeliveryBatcher:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.queue: asyncio.Queue[_Pending | None] = asyncio.Queue()
        self.writers: list[asyncio.Task[None]] = []
        self.writer_count = database.backend.webhook_writers
        self.accepting = False

    def start(self) -> None:
        """Start the writers in the running event loop; deliveries are accepted from now on."""
        loop = asyncio.get_running_loop()
        self.writers = [loop.create_task(self._write()) for _ in range(self.writer_count)]
        self.accepting = True

    async def stop(self) -> None:
        """Refuse new deliveries, store and answer every queued one, wait for the writers."""
        self.accepting = False
        for _ in self.writers:
            self.queue.put_nowait(None)  # a stop marker per writer, behind every delivery
        await asyncio.gather(*self.writers)

    def check_accepting(self) -> None:
        """503 ``ShuttingDown`` once the batcher has stopped (or before it started)."""
        if not self.accepting:
            raise ShuttingDown()

    async def submit(self, delivery: Delivery, event: Event) -> str:
        """Authenticate and store the event; its outcome once the transaction has committed.

        Raises the refusal (``UnknownEndpoint``, ``Unauthenticated``) of an inauthentic one,
        ``ShuttingDown`` once the batcher has stopped.
        """
        self.check_accepting()
        done: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.queue.put_nowait(_Pending(delivery, event, done))  # no await since the check
        return await done

    async def _write(self) -> None:
        """Store batches until this writer takes its stop marker."""
        while True:
            batch: list[_Pending] = []
            item = await self.queue.get()
            while item is not None:
                batch.append(item)
                if len(batch) == MAX_BATCH or self.queue.empty():
                    break
                item = self.queue.get_nowait()
            if batch:
                await self._store_batch(batch)
            if item is None:
                return

    async def _store_batch(self, batch: list[_Pending]) -> None:
        try:
            outcomes = await run_in_threadpool(self._store, batch)
        except Exception as error:
            if is_unavailable(error):  # no delivery is to blame: all get 503 at once
                for pending in batch:
                    _settle(pending, error)
                return
            for pending in batch:  # isolate the failing delivery
                await self._store_alone(pending)
            return
        for pending, outcome in zip(batch, outcomes, strict=True):
            _settle(pending, outcome)

    async def _store_alone(self, pending: _Pending) -> None:
        try:
            [outcome] = await run_in_threadpool(self._store, [pending])
        except Exception as error:  # handed to the waiting request
            _settle(pending, error)
        else:
            _settle(pending, outcome)

    async def reject(self, delivery: Delivery, event: Event) -> None:
        """Log the delivery of an invalid payload for its endpoint, once authenticated (a
        stranger gets the refusal, 404/401, and never takes the write lock)."""
        await run_in_threadpool(self._log_rejection, delivery, event)

    def _log_rejection(self, delivery: Delivery, event: Event) -> None:
        with reading(self.database) as unit:
            endpoint = authenticate_delivery(unit, delivery)
        with writing(self.database) as unit:
            log_rejection(unit, endpoint, event)

    def _store(self, batch: list[_Pending]) -> list[str | CallvaultError]:
        with writing(self.database) as unit:
            return store_deliveries(unit, [(p.delivery, p.event) for p in batch])


def _settle(pending: _Pending, outcome: str | Exception) -> None:
    if pending.done.done():  # its request was cancelled meanwhile
        return
    if isinstance(outcome, Exception):
        pending.done.set_exception(outcome)
    else:
        pending.done.set_result(outcome)
