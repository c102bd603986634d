"""A few thousand believable calls over the last 90 days, deterministic for a given seed.

One client calls again and again (``REGULAR_CALLER``, the number the README's phone filter
examples look for), so those examples find calls in the demo data.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from callvault.calls.fields import STATUSES, phone_digits
from callvault.calls.repository import CallRepository
from callvault.calls.service import add_calls
from callvault.db.base import utcnow
from callvault.ingest.references import AssistantNames, CampaignNames
from callvault.ingest.statistics import PlannerStatistics
from callvault.unit_of_work import Tenant

ASSISTANTS = (
    (1, "Sales Assistant", "+12025550101", "sales"),
    (2, "Support Line", "+12025550102", "support"),
    (3, "Appointment Desk", "+442079460103", "booking"),
    (4, "Survey Bot", "+12025550104", "survey"),
    (5, "Recepcionista Virtual", "+34910000105", "booking"),
)
CAMPAIGNS = (
    (1, "Q4 Outreach Campaign"),
    (2, "Winter Renewal Reminders"),
    (3, "Customer Satisfaction Survey"),
    (4, "Webinar Follow-ups"),
)
FIRST_NAMES = (
    "John",
    "Maria",
    "José",
    "Zoë",
    "Łukasz",
    "Aiko",
    "Olumide",
    "Chloé",
    "Priya",
    "Mehmet",
    "Sarah",
    "Dmitri",
    "Ana",
    "Björn",
    "Fatima",
    "Liam",
    "Noémie",
    "Wei",
    "Ivana",
    "Carlos",
)
LAST_NAMES = (
    "Smith",
    "García",
    "Müller",
    "Nowak",
    "Tanaka",
    "Okafor",
    "Dubois",
    "Patel",
    "Yılmaz",
    "Johnson",
    "Petrov",
    "Silva",
    "Andersson",
    "Haddad",
    "O'Brien",
    "Lefèvre",
    "Chen",
    "Novak",
)

SCRIPTS: dict[str, tuple[tuple[str, str], ...]] = {
    "sales": (
        ("assistant", "Hello, this is Sarah from Aiplocalls. Am I speaking with {name}?"),
        ("user", "Yes, speaking. What is this about?"),
        (
            "assistant",
            "We help teams answer every customer call with AI assistants. "
            "Do you have two minutes to hear how {company} could use it?",
        ),
        ("user", "Sure, we miss quite a few calls after hours, actually."),
        (
            "assistant",
            "That is exactly where we shine. Our assistants pick up 24/7, qualify "
            "the caller and book meetings straight into your calendar.",
        ),
        ("user", "How much does something like that cost?"),
        (
            "assistant",
            "Plans start at forty-nine dollars a month, billed per minute above "
            "the included volume. Shall I send a proposal to your email?",
        ),
        ("user", "Yes, please send it over and call me back on {follow_up}."),
        ("assistant", "Perfect, I have noted {follow_up}. Thank you, {name}, talk soon!"),
    ),
    "support": (
        ("assistant", "Thanks for calling support, this is Alex. How can I help you today?"),
        ("user", "Hi, my order {order} hasn't arrived yet and the tracking hasn't moved."),
        ("assistant", "I'm sorry about that. Let me look up order {order} for you."),
        (
            "assistant",
            "I can see it is held at the regional depot because of the weather. "
            "It should be delivered within two business days.",
        ),
        ("user", "Okay. Can I get a refund on the shipping at least?"),
        (
            "assistant",
            "Absolutely, I have refunded the shipping fee. You will see it in "
            "three to five days. Is there anything else?",
        ),
        ("user", "No, that's all. Thanks for your help."),
    ),
    "booking": (
        ("assistant", "Good morning, you've reached the appointment desk. Who am I speaking with?"),
        ("user", "Hi, it's {name}. I'd like to book a consultation."),
        ("assistant", "Of course. We have openings on {follow_up} at ten or at two thirty."),
        ("user", "Two thirty works for me."),
        ("assistant", "Booked: {follow_up} at 14:30. You'll get a confirmation text shortly."),
        ("user", "Great, thank you — ¡muchas gracias!"),
    ),
    "survey": (
        ("assistant", "Hello {name}, this is a short satisfaction survey about your recent visit."),
        ("assistant", "On a scale from one to ten, how likely are you to recommend us?"),
        ("user", "I'd say {rating}."),
        ("assistant", "Thank you. What is the main reason for your score?"),
        ("user", "The staff were friendly but the waiting time was long."),
        ("assistant", "Noted, we'll share it with the team. Have a wonderful day!"),
    ),
}
BULGARIAN_LINES = (
    ("assistant", "Здравейте, обаждам се от Aiplocalls. Удобно ли ви е да говорим?"),
    ("user", "Да, разбира се. Слушам ви."),
)

STATUS_WEIGHTS = {
    "completed": 46,
    "ended": 8,
    "ended_by_customer": 12,
    "ended_by_assistant": 10,
    "no-answer": 8,
    "busy": 4,
    "failed": 4,
    "initiated": 2,
    "ringing": 2,
    "in-progress": 4,
}
REGULAR_CALLER = "+19876543210"
REGULAR_EVERY = 37
"""Every 37th call (a phone call, not a web one) is the regular caller's."""
ANSWERED = {"completed", "ended", "ended_by_customer", "ended_by_assistant", "in-progress"}


@dataclass(frozen=True)
class DemoSummary:
    assistants: int
    campaigns: int
    calls: int


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _phone(rng: random.Random) -> str:
    country = rng.choice(("+1", "+1", "+1", "+44", "+34", "+49", "+359"))
    return country + "".join(str(rng.randint(0, 9)) for _ in range(10 if country == "+1" else 9))


def _transcript(rng: random.Random, kind: str, context: dict[str, Any], lines: int) -> str:
    script = list(SCRIPTS[kind])
    if rng.random() < 0.05:
        script = [*BULGARIAN_LINES, *script]
    spoken = script[: max(2, lines)]
    return "\n".join(f"{who.title()}: {text.format(**context)}" for who, text in spoken)


def _call(rng: random.Random, call_id: int, created_at: datetime) -> dict[str, Any]:
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    assistant_id, _, assistant_number, kind = rng.choice(ASSISTANTS)
    call_type = rng.choices(("outbound", "inbound", "web"), weights=(50, 35, 15))[0]
    if status in STATUSES[:3] or status == "no-answer":
        call_type = "outbound" if call_type == "web" else call_type
    campaign_id = rng.choice(CAMPAIGNS)[0] if call_type == "outbound" else None
    answered = status in ANSWERED
    name = _person(rng)
    follow_up = (created_at + timedelta(days=rng.randint(1, 14))).strftime("%Y-%m-%d")
    context = {
        "name": name,
        "company": rng.choice(("Acme Dental", "Nordwind GmbH", "Café Lumière", "Blue Harbor")),
        "follow_up": follow_up,
        "order": f"#{rng.randint(10000, 99999)}",
        "rating": rng.randint(3, 10),
    }
    duration = rng.randint(20, 900) if answered else 0
    score = round(rng.uniform(1, 10), 1)
    sentiment = "positive" if score >= 7 else "neutral" if score >= 4 else "negative"
    client_number = None if call_type == "web" else _phone(rng)
    if client_number and call_id % REGULAR_EVERY == 0:
        client_number = REGULAR_CALLER
    per_minute = rng.choice((0.0085, 0.013, 0.02))
    carrier_cost = round(duration / 60 * per_minute, 4) if call_type != "web" else 0.0
    ended_at = created_at + timedelta(seconds=duration + rng.randint(2, 30))
    return {
        "id": call_id,
        "assistant_id": assistant_id,
        "campaign_id": campaign_id,
        "type": call_type,
        "duration": duration,
        "assistant_phone_number": None if call_type == "web" else assistant_number,
        "client_phone_number": client_number,
        "client_phone_digits": phone_digits(client_number),
        "status": status,
        "transcript": _transcript(rng, kind, context, rng.randint(3, 9)) if answered else None,
        "variables": {
            "customer_name": name,
            "interest_level": rng.choice(("high", "medium", "low")),
            "follow_up_date": follow_up,
        }
        if answered
        else None,
        "evaluation": {
            "sentiment": sentiment,
            "outcome": rng.choice(("qualified_lead", "resolved", "booked", "not_interested")),
            "score": score,
        }
        if answered and status != "in-progress"
        else None,
        "webhook_response": {
            "status": "success",
            "data": {"crm_contact_id": f"c{rng.randint(10**5, 10**6)}"},
        }
        if status == "completed"
        else None,
        "carrier_cost": carrier_cost,
        "total_cost": round(carrier_cost + duration / 60 * 0.05, 4),
        "answered_by": rng.choice(("human", "human", "human", "voicemail")) if answered else None,
        "recording_url": f"https://recordings.callvault.local/calls/{call_id}.mp3"
        if answered
        else None,
        "created_at": created_at,
        "updated_at": ended_at,
    }


def _calls(
    rng: random.Random, count: int, now: datetime, first_id: int
) -> Iterator[dict[str, Any]]:
    moments = sorted(now - timedelta(seconds=rng.randint(0, 90 * 86400)) for _ in range(count))
    for offset, created_at in enumerate(moments):
        if offset and rng.random() < 0.03:
            created_at = moments[offset - 1]  # calls placed in the same second
        yield _call(rng, first_id + offset, created_at)


def fill_demo_data(
    tenant: Tenant,
    *,
    calls: int,
    seed: int = 42,
    on_batch: Callable[[int], None] = lambda _done: None,
) -> DemoSummary:
    """Add the demo assistants, campaigns and ``calls`` calls for the tenant (flushes only);
    ``on_batch`` hears how many calls are added so far."""
    rng = random.Random(seed)
    now = utcnow()
    AssistantNames.of(tenant).create_missing(
        {"id": assistant_id, "name": name, "phone_number": number}
        for assistant_id, name, number, _ in ASSISTANTS
    )
    CampaignNames.of(tenant).create_missing({"id": ref, "name": name} for ref, name in CAMPAIGNS)
    batch: list[dict[str, Any]] = []
    statistics = PlannerStatistics()
    for row in _calls(rng, calls, now, CallRepository.of(tenant).last_id() + 1):
        batch.append(row)
        if len(batch) == 500:
            add_calls(tenant, batch)
            statistics.grew(tenant, len(batch))
            on_batch(statistics.created)
            batch = []
    if batch:
        add_calls(tenant, batch)
        statistics.grew(tenant, len(batch))
        on_batch(statistics.created)
    statistics.finish(tenant)
    return DemoSummary(len(ASSISTANTS), len(CAMPAIGNS), calls)
