"""OpenAPI descriptions of the webhook endpoints: request bodies as the rules read them,
answer shapes, and every answer particular to them.

Bodies are read by ``api/bodies.py`` after authentication, never by FastAPI, so they are
declared here as OpenAPI only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from callvault.api.openapi import PAYLOAD_TOO_LARGE, error, invalid, query_integer
from callvault.calls.fields import STATUSES, TYPES
from callvault.ingest.records import BIGINT, INTEGER, STRING_FIELDS
from callvault.laravel.patterns import FILTER_TRIMMED, YMD_DATE, php_integer
from callvault.webhooks.schemas import (
    DEFAULT_LOG_LIMIT,
    DEFAULT_NAME,
    MAX_GRACE_SECONDS,
    MAX_LOG_LIMIT,
    MAX_NAME,
)
from callvault.webhooks.service import EVENTS
from callvault.webhooks.signing import HEADER

NO_NUL = "^[^\\u0000]*$"


class Endpoint(BaseModel):
    """A webhook endpoint; ``url`` is where the provider posts (its last segment is the id)."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(examples=["whe_3xAmPlE0k2Lq9vT1"])
    name: str = Field(examples=["provider"])
    url: str = Field(examples=["https://calls.example.com/api/webhooks/calls/whe_3xAmPlE0k2Lq9vT1"])
    created_at: str = Field(examples=["2025-08-04 14:30:00"], description="UTC.")
    rotated_at: str | None = Field(description="UTC; null until the first rotation.")
    previous_secret_expires_at: str | None = Field(
        description="UTC; until then the previous secret verifies too."
    )


class EndpointWithSecret(Endpoint):
    """An endpoint as created or rotated: its secret, shown this once."""

    secret: str = Field(examples=["whsec_…"])


class EndpointList(BaseModel):
    model_config = ConfigDict(extra="forbid")
    data: list[Endpoint]


class Delivery(BaseModel):
    """One authentic delivery and what became of it."""

    model_config = ConfigDict(extra="forbid")
    id: str
    event: str = Field(description="The payload's `id`, or `sha256:<hex>` of the body.")
    type: str | None = Field(description="The payload's `event`.")
    call_id: int | None
    received_at: str = Field(description="UTC.")
    status: int = Field(description="The HTTP status the delivery was answered with.")
    outcome: str = Field(examples=["created", "rejected: The selected call.status is invalid."])


class DeliveryList(BaseModel):
    model_config = ConfigDict(extra="forbid")
    data: list[Delivery]


class DeliveryOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str = Field(examples=["OK"])
    event: str = Field(examples=["evt_123"])
    outcome: str = Field(json_schema_extra={"enum": ["created", "updated", "unchanged"]})


EndpointId = Annotated[
    str,
    Path(
        description="The endpoint's id (`whe_…`).",
        json_schema_extra={"minLength": 1},  # the route takes no empty id: documented only
        examples=["whe_3xAmPlE0k2Lq9vT1"],
    ),
]

_UNKNOWN_ENDPOINT = error(
    "No such endpoint for this user; or an id with a `/`, which no route takes.",
    "Unknown webhook endpoint.",
)
_INVALID_BODY = invalid(
    "The body is not a JSON object, or a field breaks its rule.",
    {
        "message": "The name field must be a string.",
        "errors": {"name": ["The name field must be a string."]},
    },
)
_ENDPOINT_LINKS = {
    name: {"operationId": operation, "parameters": {"endpoint_id": "$response.body#/id"}}
    for name, operation in (
        ("RotateSecret", "rotate_webhook_secret"),
        ("DeleteEndpoint", "delete_webhook_endpoint"),
        ("ListDeliveries", "list_webhook_deliveries"),
        ("ReceiveDelivery", "receive_webhook_delivery"),
    )
}


def _json_body(properties: dict[str, Any]) -> dict[str, Any]:
    """An optional JSON object body; keys other than ``properties`` are ignored."""
    schema = {"type": "object", "properties": properties}
    return {"requestBody": {"required": False, "content": {"application/json": {"schema": schema}}}}


CREATE_BODY = _json_body(
    {
        "name": {
            "type": "string",
            "maxLength": MAX_NAME,
            "pattern": NO_NUL,
            "default": DEFAULT_NAME,
            "description": f"At most {MAX_NAME} characters, no NUL.",
        }
    }
)
CREATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"description": "Created; the secret is shown only now.", "links": _ENDPOINT_LINKS},
    413: PAYLOAD_TOO_LARGE,
    422: _INVALID_BODY,
}

ROTATE_BODY = _json_body(
    {
        "grace_seconds": {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": MAX_GRACE_SECONDS},
                {
                    "type": "string",
                    "pattern": (
                        f"^{FILTER_TRIMMED}*(?:{php_integer(0, MAX_GRACE_SECONDS)})"
                        f"{FILTER_TRIMMED}*$"
                    ),
                },
            ],
            "default": 86400,
            "description": f"0 to {MAX_GRACE_SECONDS} (30 days), a number or a decimal "
            "string; 0 revokes the old secret at once.",
        }
    }
)
ROTATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The new secret, shown only now.", "links": _ENDPOINT_LINKS},
    404: _UNKNOWN_ENDPOINT,
    413: PAYLOAD_TOO_LARGE,
    422: _INVALID_BODY,
}

DELETE_RESPONSES: dict[int | str, dict[str, Any]] = {
    204: {"description": "Deleted, with its delivery log."},
    404: _UNKNOWN_ENDPOINT,
}

LIMIT_PARAMETER: dict[str, Any] = {
    "name": "limit",
    "in": "query",
    "required": False,
    "schema": query_integer(*BIGINT, default=DEFAULT_LOG_LIMIT),
    "description": f"How many deliveries, newest first: an integer, taken as 1 to "
    f"{MAX_LOG_LIMIT}. Otherwise 422 `The limit field must be an integer.`",
    "example": DEFAULT_LOG_LIMIT,
}
DELIVERIES_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: _UNKNOWN_ENDPOINT,
    422: invalid(
        "`limit` is not an integer.",
        {
            "message": "The limit field must be an integer.",
            "errors": {"limit": ["The limit field must be an integer."]},
        },
    ),
}

_YEAR_2_TO_9998 = "(?!0000|0001|9999)"
TIME = (
    f"^{_YEAR_2_TO_9998}(?:{YMD_DATE})[ T](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?$"
)
"""The times a delivery is documented to carry (years 2 to 9998: any offset keeps them
within the range stored); the receiver reads any ISO 8601 form from 0001-01-02 to
9999-12-30 UTC."""


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _json_integer(bounds: tuple[int, int]) -> dict[str, Any]:
    return {"type": "integer", "minimum": bounds[0], "maximum": bounds[1]}


_JSON_DOCUMENT = {"type": ["object", "array", "null"], "description": "Nested 509 deep at most."}
_CALL_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer", "minimum": 1, "maximum": BIGINT[1]},
    "type": {"enum": list(TYPES)},
    "status": {"enum": list(STATUSES)},
    "assistant_id": _nullable(_json_integer(BIGINT)),
    "campaign_id": _nullable(_json_integer(BIGINT)),
    "duration": _nullable(_json_integer(INTEGER)),
    **{
        field: _nullable({"type": "string", "maxLength": limit, "pattern": NO_NUL})
        for field, limit in STRING_FIELDS.items()
    },
    "variables": _JSON_DOCUMENT,
    "evaluation": _JSON_DOCUMENT,
    "webhook_response": _JSON_DOCUMENT,
    "carrier_cost": {"type": ["number", "null"]},
    "total_cost": {"type": ["number", "null"]},
    "created_at": _nullable({"type": "string", "pattern": TIME}),
    "updated_at": _nullable({"type": "string", "pattern": TIME}),
}

DELIVERY_BODY: dict[str, Any] = {
    "parameters": [
        {
            "name": HEADER,
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": '`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`; '
            "several `v1=` may be sent while rotating. A wrong or stale one is answered 401.",
            "example": f"t=1754317800,v1={'e3b0c442' * 8}",
        }
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["event", "call"],
                    "properties": {
                        "event": {"enum": list(EVENTS)},
                        "id": {
                            "description": "The event id the log keeps (1 to 128 characters, "
                            "no NUL); the body's SHA-256 otherwise."
                        },
                        "call": {
                            "type": "object",
                            "required": ["id", "type", "status"],
                            "properties": _CALL_PROPERTIES,
                        },
                    },
                }
            }
        },
    },
}
DELIVERY_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Stored (committed) or unchanged."},
    401: error("Missing, wrong or stale signature.", "Unauthenticated."),
    404: error("No such endpoint.", "Unknown webhook endpoint."),
    413: error(
        "The body is over `CALLVAULT_WEBHOOK_MAX_BODY_BYTES`.",
        "The request body must not be larger than 1048576 bytes.",
    ),
    422: invalid(
        "Not JSON, or a field breaks its rule; nothing is stored.",
        {
            "message": "The selected call.status is invalid.",
            "errors": {"call.status": ["The selected call.status is invalid."]},
        },
    ),
}
