"""Request bodies: read only after authentication, always against a cap (413 past it), and
validated with Laravel's messages; the webhook management endpoints are the ones with one."""

from __future__ import annotations

import ast
import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.routing import BaseRoute
from starlette.types import Message

from callvault.api.app import create_fastapi
from callvault.api.bodies import read_body
from callvault.config import Settings
from callvault.errors import PayloadTooLarge
from callvault.webhooks.models import WebhookEndpoint
from tests.conftest import read_session
from tests.ingest.conftest import call_payload, event, make_hook

ROOT = Path(__file__).resolve().parents[2]
CREATE = "/api/user/webhooks"
MiB = 1024 * 1024


class Body:
    """A streamed (chunked) body that records whether the server ever asked for it."""

    def __init__(self, size: int, chunk: bytes = b" ") -> None:
        self.size, self.chunk, self.read = size, chunk, 0

    def __iter__(self) -> Iterator[bytes]:
        piece = self.chunk * 65536
        while self.read < self.size:
            self.read += len(piece)
            yield piece


def api_routes(routes: list[BaseRoute]) -> Iterator[APIRoute]:
    """Every path operation, inside included routers too."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from api_routes(included.routes)


def endpoints(db) -> int:
    with read_session(db) as session:
        return int(session.scalar(select(func.count()).select_from(WebhookEndpoint)) or 0)


def rotate_path(client, tenant) -> str:
    created = client.post(CREATE, json={"name": "crm"}, headers=tenant.headers).json()
    return f"/api/user/webhooks/{created['id']}/rotate"


@pytest.mark.parametrize("authorization", [None, "Bearer 1|wrong", "Basic abc"])
def test_an_unauthenticated_body_is_401_without_being_read(
    client, tenant, db, authorization
) -> None:
    headers = {"Content-Type": "application/json"}
    if authorization:
        headers["Authorization"] = authorization
    for path in (CREATE, rotate_path(client, tenant)):
        body = Body(64 * MiB, b"[")
        response = client.post(path, content=iter(body), headers=headers)
        assert response.status_code == 401
        assert response.json() == {"message": "Unauthenticated."}
        assert body.read == 0, path
    assert endpoints(db) == 1


def test_an_unauthenticated_malformed_body_is_401_not_422(client) -> None:
    """Laravel's order: authentication, then validation."""
    response = client.post(CREATE, content=b"{not json", headers={"Authorization": "Bearer x"})
    assert response.status_code == 401
    response = client.post(CREATE, json={"name": 5})
    assert response.status_code == 401


def test_an_authenticated_body_past_the_cap_is_413(app_factory, tenant, db) -> None:
    client = app_factory(max_body_bytes=1024)
    message = {"message": "The request body must not be larger than 1024 bytes."}
    declared = client.post(CREATE, json={"name": "x" * 2000}, headers=tenant.headers)
    assert (declared.status_code, declared.json()) == (413, message)
    streamed = client.post(CREATE, content=iter(Body(MiB)), headers=tenant.headers)  # chunked
    assert (streamed.status_code, streamed.json()) == (413, message)
    at_cap = client.post(CREATE, json={"name": "crm", "note": "x" * 990}, headers=tenant.headers)
    assert at_cap.status_code == 201
    assert endpoints(db) == 1


def test_the_default_cap_is_64_kib_and_deliveries_keep_their_own(app_factory, tenant) -> None:
    client = app_factory(webhook_max_body_bytes=128 * 1024)
    response = client.post(CREATE, content=b" " * (64 * 1024 + 1), headers=tenant.headers)
    assert response.status_code == 413
    assert Settings.model_fields["max_body_bytes"].default == 65536
    hook = make_hook(tenant.db, tenant)
    big = event("call.completed", call_payload(1, transcript="x" * 100_000))
    assert hook.post(client, big).status_code == 200


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (b'{"name": "a\\u0000b"}', "name", "The name field must not contain NUL characters."),
        (
            b'{"name": "' + b"n" * 256 + b'"}',
            "name",
            "The name field must not be greater than 255 characters.",
        ),
        (b'{"name": 5}', "name", "The name field must be a string."),
        (b'{"name": null}', "name", "The name field must be a string."),
        (b"{not json", "body", "The request body must be valid JSON."),
        (b'{"name": NaN}', "body", "The request body must be valid JSON."),
        (b'["name"]', "body", "The request body must be a JSON object."),
    ],
)
def test_create_validates_its_body_like_laravel(client, tenant, db, body, field, message) -> None:
    response = client.post(CREATE, content=body, headers=tenant.headers)
    assert response.status_code == 422, response.text
    assert response.json() == {"message": message, "errors": {field: [message]}}
    assert endpoints(db) == 0


def test_create_accepts_the_longest_name_and_defaults_one(client, tenant) -> None:
    named = client.post(CREATE, json={"name": "ü" * 255}, headers=tenant.headers)
    assert (named.status_code, named.json()["name"]) == (201, "ü" * 255)
    unnamed = client.post(CREATE, headers=tenant.headers)
    assert (unnamed.status_code, unnamed.json()["name"]) == (201, "webhook")
    listed = client.get(CREATE, headers=tenant.headers).json()["data"]
    assert sorted(e["name"] for e in listed) == sorted(["ü" * 255, "webhook"])


@pytest.mark.parametrize(
    ("grace", "message"),
    [
        (-1, "The grace seconds field must be at least 0."),
        (30 * 86400 + 1, "The grace seconds field must not be greater than 2592000."),
        (2**80, "The grace seconds field must not be greater than 2592000."),
        ("soon", "The grace seconds field must be an integer."),
        (1.5, "The grace seconds field must be an integer."),
        (True, "The grace seconds field must be an integer."),
    ],
)
def test_rotate_validates_its_body_like_laravel(client, tenant, grace, message) -> None:
    path = rotate_path(client, tenant)
    response = client.post(path, json={"grace_seconds": grace}, headers=tenant.headers)
    assert response.status_code == 422, response.text
    assert response.json() == {"message": message, "errors": {"grace_seconds": [message]}}


def test_rotate_takes_a_grace_period_or_the_default(client, tenant) -> None:
    path = rotate_path(client, tenant)
    default = client.post(path, headers=tenant.headers).json()
    zero = client.post(path, json={"grace_seconds": 0}, headers=tenant.headers).json()
    text = client.post(path, json={"grace_seconds": "60"}, headers=tenant.headers)
    assert default["previous_secret_expires_at"] is not None
    assert zero["previous_secret_expires_at"] is None
    assert text.status_code == 200


def test_reading_stops_once_past_the_cap() -> None:
    """A chunked body without a length is refused at the first chunk past the cap."""
    asked = 0

    async def receive() -> Message:
        nonlocal asked
        asked += 1
        return {"type": "http.request", "body": b"x" * 1000, "more_body": True}

    request = Request({"type": "http", "method": "POST", "headers": []}, receive)
    with pytest.raises(PayloadTooLarge):
        asyncio.run(read_body(request, 4096))
    assert asked == 5


def test_no_route_lets_the_framework_read_a_body() -> None:
    """FastAPI reads and parses a body parameter before any dependency runs, so before
    authentication and without a cap: bodies are read only by ``api/bodies.py``."""
    app = create_fastapi(Settings(database_url="sqlite://"))
    routes = list(api_routes(app.routes))
    assert len(routes) >= 11
    assert [route.path for route in routes if route.body_field is not None] == []
    readers = []
    for path in sorted((ROOT / "src" / "callvault").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"body", "json", "form", "stream"}
                and ast.unparse(node.func.value) == "request"
            ):
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert [reader.split(":")[0] for reader in readers] == ["src/callvault/api/bodies.py"]


def test_every_setting_is_documented_with_its_default() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"| `CALLVAULT_{name.upper()}` |" in readme, name
    assert "| `CALLVAULT_MAX_BODY_BYTES` | `65536` |" in readme
