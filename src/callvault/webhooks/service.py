"""Webhook endpoints (create, list, rotate, delete) and the delivery of signed events.

A delivery is answered in this order: size (413, in the HTTP layer), endpoint and
signature (404/401, nothing stored), payload (422, only a log line stored), then the call
is merged and the delivery logged in one unit of work, which the caller commits before it
answers 2xx. A valid payload is authenticated inside that unit of work, together with the
other deliveries sharing it (one endpoint lookup for all); an invalid one is authenticated
first, so a stranger never learns more than 404/401.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from callvault.db.base import utcnow
from callvault.errors import CallvaultError, NotFound, Unauthenticated, ValidationFailed
from callvault.ingest.json_text import loads_strict
from callvault.ingest.records import CallRecord, RecordInvalid, parse_call
from callvault.ingest.service import ingest_calls
from callvault.laravel.validation import ValidationResult
from callvault.unit_of_work import Tenant, UnitOfWork
from callvault.webhooks import signing
from callvault.webhooks.models import WebhookDelivery, WebhookEndpoint
from callvault.webhooks.repository import EndpointDirectory, WebhookRepository

EVENTS = ("call.started", "call.completed", "call.failed")
DEFAULT_GRACE = timedelta(hours=24)
MAX_EVENT_ID = 128


class UnknownEndpoint(NotFound):
    def __init__(self) -> None:
        super().__init__("Unknown webhook endpoint.")


@dataclass(frozen=True)
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str


def create_endpoint(tenant: Tenant, name: str) -> CreatedEndpoint:
    secret = signing.new_secret()
    endpoint = WebhookEndpoint(id=signing.new_endpoint_id(), name=name, secret=secret)
    WebhookRepository.of(tenant).add(endpoint)
    return CreatedEndpoint(endpoint, secret)


def list_endpoints(tenant: Tenant) -> Sequence[WebhookEndpoint]:
    return WebhookRepository.of(tenant).list()


def get_endpoint(tenant: Tenant, endpoint_id: str) -> WebhookEndpoint:
    endpoint = WebhookRepository.of(tenant).get(endpoint_id)
    if endpoint is None:
        raise UnknownEndpoint()
    return endpoint


def rotate_secret(
    tenant: Tenant, endpoint_id: str, grace: timedelta = DEFAULT_GRACE
) -> CreatedEndpoint:
    """A new secret; the old one keeps verifying for ``grace`` (zero: revoked at once)."""
    endpoint = get_endpoint(tenant, endpoint_id)
    now = utcnow()
    keep_old = grace.total_seconds() > 0
    endpoint.previous_secret = endpoint.secret if keep_old else None
    endpoint.previous_secret_expires_at = now + grace if keep_old else None
    endpoint.secret = signing.new_secret()
    endpoint.rotated_at = now
    tenant.flush()
    return CreatedEndpoint(endpoint, endpoint.secret)


def delete_endpoint(tenant: Tenant, endpoint_id: str) -> None:
    if not WebhookRepository.of(tenant).delete(endpoint_id):
        raise UnknownEndpoint()


def delivery_log(tenant: Tenant, endpoint_id: str, limit: int = 50) -> Sequence[WebhookDelivery]:
    get_endpoint(tenant, endpoint_id)
    return WebhookRepository.of(tenant).deliveries(endpoint_id, limit)


def accepted_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    accepted = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        accepted.append(endpoint.previous_secret)
    return accepted


@dataclass(frozen=True)
class Delivery:
    """A request to a delivery URL as it arrived: endpoint, signature header, raw body, time."""

    endpoint_id: str
    header: str
    body: bytes
    received: float  # unix seconds


def verify_delivery(endpoint: WebhookEndpoint | None, delivery: Delivery) -> WebhookEndpoint:
    """The endpoint, if the signature holds; 404 for an unknown endpoint, 401 otherwise."""
    if endpoint is None:
        raise UnknownEndpoint()
    secrets = accepted_secrets(endpoint, utcnow())
    if not signing.verify(delivery.header, delivery.body, secrets, delivery.received):
        raise Unauthenticated()
    return endpoint


def authenticate_delivery(unit: UnitOfWork, delivery: Delivery) -> WebhookEndpoint:
    return verify_delivery(EndpointDirectory.of(unit).find(delivery.endpoint_id), delivery)


@dataclass(frozen=True)
class Event:
    key: str
    type: str | None
    call_id: int | None
    record: CallRecord | None
    errors: dict[str, list[str]]


def _event_key(payload: Any, body: bytes) -> str:
    """The payload's ``id``, or the body's hash when it has none the log can hold (empty,
    too long, or with a NUL, which PostgreSQL text cannot hold)."""
    if isinstance(payload, dict):
        event_id = payload.get("id")
        if isinstance(event_id, str | int) and not isinstance(event_id, bool):
            text = str(event_id)
            if 0 < len(text) <= MAX_EVENT_ID and "\x00" not in text:
                return text
    return "sha256:" + hashlib.sha256(body).hexdigest()


def _logged_call_id(call: Any) -> int | None:
    """The call id the log shows for a payload, if it is one its column can hold."""
    raw_id = call.get("id") if isinstance(call, dict) else None
    if isinstance(raw_id, int) and not isinstance(raw_id, bool) and raw_id.bit_length() < 64:
        return raw_id
    return None


def parse_event(body: bytes, zone: ZoneInfo) -> Event:
    """The delivery's event; ``errors`` (Laravel-style, by field) when it is not valid."""
    try:
        payload = loads_strict(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        message = "The request body must be valid JSON."
        return Event(_event_key(None, body), None, None, None, {"body": [message]})
    key = _event_key(payload, body)
    if not isinstance(payload, dict):
        return Event(key, None, None, None, {"body": ["The request body must be a JSON object."]})
    errors: dict[str, list[str]] = {}
    event_type = payload.get("event")
    if event_type is None:
        errors["event"] = ["The event field is required."]
    elif not isinstance(event_type, str) or event_type not in EVENTS:
        errors["event"] = ["The selected event is invalid."]
    record: CallRecord | None = None
    call = payload.get("call")
    call_id = _logged_call_id(call)
    if call is None:
        errors["call"] = ["The call field is required."]
    else:
        try:
            record = parse_call(call, zone, prefix="call.")
        except RecordInvalid as invalid:
            errors.update(invalid.errors)
    shown_type = event_type[:64].replace("\x00", "\ufffd") if isinstance(event_type, str) else None
    return Event(key, shown_type, call_id, record, errors)


def log_rejection(unit: UnitOfWork, endpoint: WebhookEndpoint, event: Event) -> None:
    first = next(iter(event.errors.values()))[0]
    WebhookRepository.of(unit.tenant(endpoint.user_id)).log(
        WebhookDelivery(
            endpoint_id=endpoint.id,
            event_key=event.key,
            event_type=event.type,
            call_id=event.call_id,
            status_code=422,
            outcome=f"rejected: {first}"[:255],
        )
    )


def rejection(event: Event) -> ValidationFailed:
    return ValidationFailed(ValidationResult(event.errors).summary(), event.errors)


def apply_events(tenant: Tenant, events: Sequence[tuple[WebhookEndpoint, Event]]) -> list[str]:
    """Merge the events' calls into the user's calls and log each delivery; the outcomes."""
    records = [event.record for _, event in events if event.record is not None]
    result = ingest_calls(tenant, records)
    outcomes: list[str] = []
    log: list[dict[str, Any]] = []
    for endpoint, event in events:
        assert event.record is not None
        assert endpoint.user_id == tenant.user_id
        outcome = result.outcomes[event.record.id]
        log.append(
            {
                "endpoint_id": endpoint.id,
                "event_key": event.key,
                "event_type": event.type,
                "call_id": event.record.id,
                "status_code": 200,
                "outcome": outcome,
            }
        )
        outcomes.append(outcome)
    WebhookRepository.of(tenant).log_many(log)
    return outcomes


def store_deliveries(
    unit: UnitOfWork, deliveries: Sequence[tuple[Delivery, Event]]
) -> list[str | CallvaultError]:
    """Authenticate valid events (one endpoint lookup for all), then merge and log the
    authentic ones user by user, in id order so concurrent writers lock alike.

    Per delivery: its outcome, or the refusal (404/401) to answer it with.
    """
    endpoints = EndpointDirectory.of(unit).find_many(
        {delivery.endpoint_id for delivery, _ in deliveries}
    )
    results: list[str | CallvaultError] = []
    by_user: dict[int, list[tuple[int, WebhookEndpoint, Event]]] = defaultdict(list)
    for index, (delivery, event) in enumerate(deliveries):
        try:
            endpoint = verify_delivery(endpoints.get(delivery.endpoint_id), delivery)
        except CallvaultError as refusal:
            results.append(refusal)
            continue
        results.append("")
        by_user[endpoint.user_id].append((index, endpoint, event))
    for user_id in sorted(by_user):
        accepted = by_user[user_id]
        events = [(endpoint, event) for _, endpoint, event in accepted]
        outcomes = apply_events(unit.tenant(user_id), events)
        for (index, _, _), outcome in zip(accepted, outcomes, strict=True):
            results[index] = outcome
    return results
