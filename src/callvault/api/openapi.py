"""The OpenAPI document's shared parts: the contract's error bodies, the answers every
operation may give by where it lives, the bearer scheme, and ``GET /openapi.json`` itself.

The models here only describe JSON that ``PhpJsonResponse`` writes; nothing is serialized
through them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from callvault.laravel.patterns import cleaned, php_integer

BEARER = "bearerAuth"
API_PREFIX = "/api/"
AUTHENTICATED_PREFIX = "/api/user/"
"""Every operation under it needs ``Authorization: Bearer <token>``; none outside does
(the webhook receiver is signed instead)."""
DOCUMENT_PATH = "/openapi.json"

RATE_LIMIT_HEADERS: dict[str, dict[str, Any]] = {
    "X-RateLimit-Limit": {
        "description": "Requests allowed per minute (`CALLVAULT_RATE_LIMIT`).",
        "schema": {"type": "integer", "minimum": 0},
    },
    "X-RateLimit-Remaining": {
        "description": "Requests left in the current minute.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "Retry-After": {
        "description": "Seconds until a request is allowed again.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "X-RateLimit-Reset": {
        "description": "Unix time (seconds) when a request is allowed again.",
        "schema": {"type": "integer", "minimum": 0},
    },
}
"""Laravel's ``throttle`` headers, shared components (``#/components/headers/…``)."""


class Message(BaseModel):
    """The contract's error body."""

    model_config = ConfigDict(extra="forbid")
    message: str = Field(examples=["Unauthenticated."])


class ValidationMessage(BaseModel):
    """A validation error: the first message (``(and N more errors)``), every message of
    every field in rule order."""

    model_config = ConfigDict(extra="forbid")
    message: str = Field(examples=["The selected status is invalid."])
    errors: dict[str, list[str]] = Field(examples=[{"status": ["The selected status is invalid."]}])


def error(description: str, example: str) -> dict[str, Any]:
    """A documented error answer (for a route's ``responses=``)."""
    return {
        "model": Message,
        "description": description,
        "content": {"application/json": {"example": {"message": example}}},
    }


def invalid(description: str, example: dict[str, Any]) -> dict[str, Any]:
    """A documented 422 answer with its ``errors``."""
    return {
        "model": ValidationMessage,
        "description": description,
        "content": {"application/json": {"example": example}},
    }


def query_integer(low: int, high: int, **extra: Any) -> dict[str, Any]:
    """A query parameter's integer from ``low`` to ``high``: a number, or what ``TrimStrings``
    then PHP's ``FILTER_VALIDATE_INT`` read as one (``+5``; not ``05`` or ``5.0``); blank is
    no value."""
    return {
        "anyOf": [
            {"type": "integer", "format": "int64", "minimum": low, "maximum": high},
            {"type": "string", "pattern": cleaned(php_integer(low, high))},
        ],
        **extra,
    }


PAYLOAD_TOO_LARGE = error(
    "The request body is over its cap (`CALLVAULT_MAX_BODY_BYTES`).",
    "The request body must not be larger than 65536 bytes.",
)


def _message(description: str, example: str, **extra: Any) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Message"}
    return {
        "description": description,
        **extra,
        "content": {"application/json": {"schema": schema, "example": {"message": example}}},
    }


_FOREIGN_HOST = _message(
    "The request claims a host outside `CALLVAULT_ALLOWED_HOSTS` (checked before anything else).",
    "Invalid host header.",
)
_UNAUTHENTICATED = _message(
    "Missing, malformed, unknown, revoked or expired token.", "Unauthenticated."
)
_TOO_MANY = _message(
    "Over the rate limit; retry after `Retry-After` seconds.",
    "Too Many Attempts.",
    headers={name: {"$ref": f"#/components/headers/{name}"} for name in RATE_LIMIT_HEADERS},
)
_UNAVAILABLE = _message(
    "The database cannot serve now (down, unreachable, past `CALLVAULT_DB_CONNECT_TIMEOUT` "
    "or `CALLVAULT_DB_STATEMENT_TIMEOUT`, full or read-only), or the service is shutting "
    "down; retry after `Retry-After` seconds.",
    "Service Unavailable",
    headers={"Retry-After": {"$ref": "#/components/headers/Retry-After"}},
)


def _shared_answers(path: str) -> dict[str, dict[str, Any]]:
    """What any operation at ``path`` may answer besides its own responses."""
    answers = {"400": _FOREIGN_HOST}
    if path.startswith(AUTHENTICATED_PREFIX):
        answers["401"] = _UNAUTHENTICATED
    if path.startswith(API_PREFIX):
        answers["429"] = _TOO_MANY
    if path != DOCUMENT_PATH:
        answers["503"] = _UNAVAILABLE
    return answers


_OTHER_ROUTES: dict[str, dict[str, Any]] = {
    "UnknownRoute": _message(
        "Any path no operation has (`The route <path> could not be found.`).",
        "The route api/nope could not be found.",
    ),
    "MethodNotAllowed": _message(
        "A path's other methods (`OPTIONS` answers 200 with `Allow`; `HEAD` is `GET` "
        "without the body).",
        "The PUT method is not supported for route api/user/calls. Supported methods: GET, HEAD.",
        headers={"Allow": {"description": "The path's methods.", "schema": {"type": "string"}}},
    ),
}
"""What requests outside the operations get: reusable answers, named by no operation."""

_DOCUMENT_OPERATION: dict[str, Any] = {
    "tags": ["system"],
    "summary": "This OpenAPI document",
    "operationId": "openapi_document",
    "responses": {
        "200": {
            "description": "The OpenAPI 3.1 document of this service.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
}

_FASTAPI_VALIDATION = "#/components/schemas/HTTPValidationError"
"""FastAPI declares its own 422 body for any operation with parameters; callvault
validates in the handlers, after authentication, and answers in the contract's format."""


def _drop_fastapi_validation(document: dict[str, Any]) -> None:
    for operations in document["paths"].values():
        for operation in operations.values():
            answer = operation["responses"].get("422", {})
            schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
            if schema.get("$ref") == _FASTAPI_VALIDATION:
                del operation["responses"]["422"]
    schemas = document.get("components", {}).get("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)


def finish_document(document: dict[str, Any]) -> dict[str, Any]:
    """FastAPI's document completed: the shared answers of every operation, the bearer
    scheme on the authenticated ones, and the document's own path."""
    _drop_fastapi_validation(document)
    document["paths"][DOCUMENT_PATH] = {"get": _DOCUMENT_OPERATION}
    components = document.setdefault("components", {})
    components.setdefault("schemas", {}).setdefault("Message", Message.model_json_schema())
    components["headers"] = RATE_LIMIT_HEADERS
    components["responses"] = _OTHER_ROUTES
    components["securitySchemes"] = {
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `callvault tokens create`: `<id>|<secret>`.",
        }
    }
    for path, operations in document["paths"].items():
        for operation in operations.values():
            responses = operation["responses"]
            for status, answer in _shared_answers(path).items():
                responses.setdefault(status, answer)
            operation["responses"] = dict(sorted(responses.items()))
            if path.startswith(AUTHENTICATED_PREFIX):
                operation["security"] = [{BEARER: []}]
    return document
