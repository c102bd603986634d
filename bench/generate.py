"""Deterministic benchmark data: N calls over 1,000 users with a Zipf-like split.

The largest user owns about 20% of all calls; calls spread over two years with many of
them sharing a second; transcripts run from a few hundred to a few thousand characters.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

USERS = 1000
END = datetime(2026, 11, 1)
START = END - timedelta(days=730)
SPAN_SECONDS = int((END - START).total_seconds())
STATUSES = (
    ("completed", 40),
    ("ended", 12),
    ("ended_by_customer", 10),
    ("ended_by_assistant", 8),
    ("no-answer", 10),
    ("busy", 6),
    ("failed", 5),
    ("in-progress", 3),
    ("ringing", 3),
    ("initiated", 3),
)
TYPES = (("outbound", 55), ("inbound", 35), ("web", 10))
ASSISTANTS = 6
CAMPAIGNS = 4
WORDS = [
    "hello",
    "thanks",
    "calling",
    "about",
    "your",
    "appointment",
    "tomorrow",
    "could",
    "you",
    "confirm",
    "the",
    "time",
    "sure",
    "that",
    "works",
    "great",
    "I",
    "will",
    "also",
    "need",
    "the",
    "invoice",
    "number",
    "please",
    "hold",
    "while",
    "I",
    "check",
    "account",
    "balance",
    "payment",
    "was",
    "received",
    "yesterday",
    "anything",
    "else",
    "today",
    "no",
    "that",
    "is",
    "all",
    "have",
    "a",
    "wonderful",
    "day",
    "goodbye",
    "customer",
    "agent",
    "order",
    "delivery",
    "address",
    "update",
    "schedule",
]


def zipf_exponent(users: int = USERS, top_share: float = 0.20) -> float:
    """The exponent s for which the largest of ``users`` weights 1/i^s holds ``top_share``."""
    low, high = 0.5, 2.0
    for _ in range(60):
        s = (low + high) / 2
        share = 1 / sum(1 / i**s for i in range(1, users + 1))
        low, high = (s, high) if share < top_share else (low, s)
    return (low + high) / 2


def calls_per_user(total: int, users: int = USERS) -> list[int]:
    """Call counts of users 1..``users``, largest first, summing exactly to ``total``."""
    s = zipf_exponent(users)
    weights = [1 / i**s for i in range(1, users + 1)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % users] += 1
    return counts


@dataclass(frozen=True)
class Dataset:
    total: int
    counts: list[int]

    @property
    def largest_user(self) -> int:
        return 1

    @property
    def median_user(self) -> int:
        return USERS // 2 + 1


def _pick(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


@cache
def _text_pool(seed: int) -> str:
    rng = random.Random(seed)
    sentences = []
    for _ in range(4000):
        speaker = rng.choice(("Assistant", "Customer"))
        sentences.append(f"{speaker}: {' '.join(rng.choices(WORDS, k=rng.randint(5, 18)))}.")
    return " ".join(sentences)


def phone_of(user_id: int, index: int) -> str:
    """The ``index``-th client number of a user (a pool, so numbers repeat)."""
    value = (user_id * 7_919_993 + index * 104_729) % 10_000_000
    return f"+1{200 + user_id % 700:03d}{value:07d}"


def user_calls(user_id: int, count: int, seed: int = 42) -> Iterator[dict[str, object]]:
    """The calls of one user, ids 1..count in time order; deterministic per (user, seed)."""
    rng = random.Random(seed * 1_000_003 + user_id)
    pool = _text_pool(seed)
    phones = max(20, count // 4)
    stamps = sorted(rng.randrange(SPAN_SECONDS) for _ in range(count))
    for index in range(1, len(stamps)):
        if rng.random() < 0.3:  # bursts: many calls share a second
            stamps[index] = stamps[index - 1]
    for call_id, offset in enumerate(stamps, start=1):
        created = START + timedelta(seconds=offset)
        kind = _pick(rng, TYPES)
        status = _pick(rng, STATUSES)
        length = rng.randint(300, 3500)
        begin = rng.randrange(len(pool) - length)
        number = phone_of(user_id, rng.randrange(phones))
        duration = rng.randint(0, 900) if status not in ("no-answer", "busy", "failed") else 0
        yield {
            "user_id": user_id,
            "id": call_id,
            "assistant_id": rng.randint(1, ASSISTANTS),
            "campaign_id": rng.randint(1, CAMPAIGNS) if kind == "outbound" else None,
            "type": kind,
            "duration": duration,
            "assistant_phone_number": f"+1800555{rng.randint(0, 9999):04d}",
            "client_phone_number": number,
            "client_phone_digits": number[1:],
            "status": status,
            "transcript": pool[begin : begin + length],
            "variables": json.dumps(
                {
                    "customer_name": f"Customer {rng.randint(1, 99999)}",
                    "order": rng.randint(1, 10**6),
                }
            ),
            "evaluation": json.dumps(
                {
                    "sentiment": rng.choice(("positive", "neutral", "negative")),
                    "score": rng.randint(0, 100) / 10,
                }
            ),
            "webhook_response": None,
            "carrier_cost": round(duration * 0.0001, 4),
            "total_cost": round(duration * 0.00013, 4),
            "answered_by": rng.choice(("human", "machine", None)),
            "recording_url": f"https://recordings.example.com/{user_id}/{call_id}.mp3",
            "created_at": created,
            "updated_at": created + timedelta(seconds=duration),
        }
