"""OpenAPI descriptions of the calls endpoints: every parameter, rule and error."""

from __future__ import annotations

from typing import Any

from callvault.calls.fields import STATUSES, TYPES

_STATUS_LIST = ", ".join(STATUSES)
_TYPE_LIST = ", ".join(TYPES)


def _query(name: str, schema: dict[str, Any], description: str, example: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
        "example": example,
    }


LIST_PARAMETERS: list[dict[str, Any]] = [
    _query(
        "status",
        {"type": "string", "enum": list(STATUSES)},
        f"Only calls with this status: {_STATUS_LIST}. Otherwise 422 "
        "`The selected status is invalid.`",
        "completed",
    ),
    _query(
        "type",
        {"type": "string", "enum": list(TYPES)},
        f"Only calls of this type: {_TYPE_LIST}. Otherwise 422 `The selected type is invalid.`",
        "outbound",
    ),
    _query(
        "phone_number",
        {"type": "string", "minLength": 3, "maxLength": 33},
        "Client phone number, compared by digits only: the call matches when the client "
        "number's digits contain these digits (`654-3210` finds `+19876543210`). 3 to 32 "
        "digits, ASCII whitespace (space, tab, CR, LF, VT, FF) and `( ) - .`, optional "
        "leading `+`, at least 3 digits; otherwise 422 "
        "`The phone number field format is invalid.`",
        "+1 (987) 654-3210",
    ),
    _query(
        "assistant_id",
        {"type": "integer"},
        "Only calls of this assistant. Otherwise 422 `The assistant id field must be an integer.`",
        12,
    ),
    _query(
        "campaign_id",
        {"type": "integer"},
        "Only calls of this campaign. Otherwise 422 `The campaign id field must be an integer.`",
        3,
    ),
    _query(
        "date_from",
        {"type": "string", "format": "date"},
        "Calls created on or after this calendar day (`YYYY-MM-DD`, display timezone). "
        "Otherwise 422 `The date from field must match the format Y-m-d.`",
        "2025-08-01",
    ),
    _query(
        "date_to",
        {"type": "string", "format": "date"},
        "Calls created on or before this calendar day (inclusive). Must not precede "
        "`date_from`: `The date to field must be a date after or equal to date from.`",
        "2025-08-31",
    ),
    _query(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": 100, "default": 15},
        "Calls per page, 1 to 100 (`The per page field must not be greater than 100.`).",
        15,
    ),
    _query(
        "page",
        {"type": "integer", "minimum": 1, "default": 1},
        "Page number; a page past the end answers an empty `data`.",
        1,
    ),
]

EXAMPLE_CALL: dict[str, Any] = {
    "id": 123,
    "assistant_name": "Sales Assistant",
    "campaign_name": "Q4 Outreach Campaign",
    "type": "outbound",
    "duration": 245,
    "assistant_phone_number": "+1234567890",
    "client_phone_number": "+1987654321",
    "status": "completed",
    "transcript": "Hello, this is Sarah from Aiplocalls. How are you doing today?...",
    "variables": {"customer_name": "John Smith", "interest_level": "high"},
    "evaluation": {"sentiment": "positive", "outcome": "qualified_lead", "score": 8.5},
    "webhook_response": {"status": "success", "data": {"crm_contact_id": "abc123"}},
    "carrier_cost": 0.02,
    "total_cost": 0.025,
    "answered_by": "human",
    "recording_url": "https://call.example.com/recordings/calls/123.mp3",
    "created_at": "2025-08-04 14:30:00",
    "updated_at": "2025-08-04 14:34:05",
}

_BASE = "https://callvault.example.com/api/user/calls"

EXAMPLE_PAGE: dict[str, Any] = {
    "current_page": 1,
    "data": [EXAMPLE_CALL],
    "first_page_url": f"{_BASE}?page=1",
    "from": 1,
    "last_page": 2,
    "last_page_url": f"{_BASE}?page=2",
    "links": [
        {"url": None, "label": "&laquo; Previous", "active": False},
        {"url": f"{_BASE}?page=1", "label": "1", "active": True},
        {"url": f"{_BASE}?page=2", "label": "2", "active": False},
        {"url": f"{_BASE}?page=2", "label": "Next &raquo;", "active": False},
    ],
    "next_page_url": f"{_BASE}?page=2",
    "path": _BASE,
    "per_page": 15,
    "prev_page_url": None,
    "to": 15,
    "total": 30,
}

_MESSAGE_SCHEMA = {
    "type": "object",
    "properties": {"message": {"type": "string"}},
    "required": ["message"],
}


def _error(description: str, example: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _MESSAGE_SCHEMA, "example": example}},
    }


UNAUTHENTICATED = _error(
    "Missing, malformed, unknown, revoked or expired token.", {"message": "Unauthenticated."}
)

LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Laravel LengthAwarePaginator JSON, keys in this order.",
        "content": {"application/json": {"example": EXAMPLE_PAGE}},
    },
    401: UNAUTHENTICATED,
    422: _error(
        "Validation failed: the first message, plus `(and N more errors)`, and every "
        "message per field in rule order.",
        {
            "message": "The selected status is invalid. (and 1 more error)",
            "errors": {
                "status": ["The selected status is invalid."],
                "per_page": ["The per page field must not be greater than 100."],
            },
        },
    ),
}

ONE_CALL_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One call item.",
        "content": {"application/json": {"example": EXAMPLE_CALL}},
    },
    401: UNAUTHENTICATED,
    404: _error(
        "No such call for this user (another user's call answers the same).",
        {"message": "No query results for model [App\\Models\\Call] 123"},
    ),
}
