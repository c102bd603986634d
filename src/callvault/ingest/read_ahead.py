"""Produce an iterator's next items in a background thread while the consumer works.

Parsing a file is Python work; storing a batch is mostly waiting for the database (the
drivers release the GIL meanwhile), so running both at once keeps two cores busy.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
_POLL_SECONDS = 0.1


@dataclass(frozen=True, slots=True)
class _Item(Generic[T]):
    value: T


@dataclass(frozen=True, slots=True)
class _Failed:
    error: BaseException


class _End:
    pass


def read_ahead(source: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Yield ``source``'s items in order, computing up to ``depth`` of them in advance.

    An exception raised by ``source`` is raised here, in the consumer, at the point where
    the item would have been. If the consumer stops early, the producer stops too.
    """
    handoff: queue.Queue[_Item[T] | _Failed | _End] = queue.Queue(maxsize=depth)
    stopped = threading.Event()

    def offer(message: _Item[T] | _Failed | _End) -> bool:
        while not stopped.is_set():
            try:
                handoff.put(message, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for value in source:
                if not offer(_Item(value)):
                    return
        except BaseException as error:  # handed to the consumer, not lost
            offer(_Failed(error))
            return
        offer(_End())

    producer = threading.Thread(target=produce, name="callvault-read-ahead", daemon=True)
    producer.start()
    try:
        while True:
            message = handoff.get()
            if isinstance(message, _End):
                return
            if isinstance(message, _Failed):
                raise message.error
            yield message.value
    finally:
        stopped.set()
        producer.join()
