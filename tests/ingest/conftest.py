"""Helpers for ingest tests: a webhook endpoint for the tenant, signed posts, call payloads."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from callvault.db.database import Database
from callvault.webhooks import service
from callvault.webhooks.signing import HEADER, sign
from tests.conftest import Tenant


class Hook:
    def __init__(self, endpoint_id: str, secret: str) -> None:
        self.id = endpoint_id
        self.secret = secret
        self.path = f"/api/webhooks/calls/{endpoint_id}"

    def post(
        self,
        client: TestClient,
        payload: Any,
        *,
        secret: str | None = None,
        timestamp: int | None = None,
        raw: bytes | None = None,
    ) -> Any:
        body = raw if raw is not None else json.dumps(payload).encode()
        stamp = int(time.time()) if timestamp is None else timestamp
        header = sign(secret or self.secret, stamp, body)
        return client.post(
            self.path, content=body, headers={HEADER: header, "Content-Type": "application/json"}
        )


def make_hook(db: Database, tenant: Tenant, name: str = "provider") -> Hook:
    with tenant.write() as view:
        created = service.create_endpoint(view, name)
    return Hook(created.endpoint.id, created.secret)


@pytest.fixture
def hook(db: Database, tenant: Tenant) -> Hook:
    return make_hook(db, tenant)


def call_payload(call_id: int, **fields: Any) -> dict[str, Any]:
    """A complete call object (the list item plus ids), overridable field by field."""
    return {
        "id": call_id,
        "assistant_id": 7,
        "assistant_name": "Sales Assistant",
        "campaign_id": 3,
        "campaign_name": "Q4 Outreach",
        "type": "outbound",
        "duration": 245,
        "assistant_phone_number": "+1234567890",
        "client_phone_number": "+1987654321",
        "status": "completed",
        "transcript": "Hello…",
        "variables": {"customer_name": "John Smith"},
        "evaluation": {"sentiment": "positive", "score": 8.5},
        "webhook_response": None,
        "carrier_cost": 0.02,
        "total_cost": 0.025,
        "answered_by": "human",
        "recording_url": None,
        "created_at": "2025-08-04 14:30:00",
        "updated_at": "2025-08-04 14:34:05",
        **fields,
    }


def event(kind: str, call: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"event": kind, "call": call}
    if event_id is not None:
        body["id"] = event_id
    return body


def nested(depth: int, leaf: Any = "deep") -> Any:
    """A JSON value ``depth`` arrays/objects deep, lists and objects alternating."""
    value = leaf
    for level in range(depth):
        value = {"k": value} if level % 2 else [value]
    return value


def nested_text(depth: int) -> str:
    """``json.dumps(nested(depth))`` without the encoder's recursion."""
    opening = "".join('{"k":' if level % 2 else "[" for level in reversed(range(depth)))
    closing = "".join("}" if level % 2 else "]" for level in range(depth))
    return f'{opening}"deep"{closing}'


def with_deep(payload: dict[str, Any], field: str, depth: int) -> bytes:
    """``payload`` as JSON text with ``call[field]`` nested ``depth`` deep."""
    payload["call"][field] = "@deep@"
    return json.dumps(payload).replace('"@deep@"', nested_text(depth)).encode()
