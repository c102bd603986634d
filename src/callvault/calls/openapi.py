"""OpenAPI descriptions of the calls endpoints: the list's parameters exactly as the rules
take them, the call item and page shapes, and every answer particular to them.

A query value goes through Laravel's ``TrimStrings`` and ``ConvertEmptyStringsToNull``
first: an empty or blank value is no filter, and surrounding whitespace is ignored. The
parameter schemas say so, so that they accept exactly what the validator accepts.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from callvault.api.openapi import error, invalid, query_integer
from callvault.calls.fields import STATUSES, TYPES
from callvault.calls.schemas import DEFAULT_PER_PAGE, MAX_PER_PAGE
from callvault.laravel.patterns import YMD_DATE, cleaned
from callvault.laravel.php import PHP_INT_MAX, PHP_INT_MIN

_STATUS_LIST = ", ".join(STATUSES)
_TYPE_LIST = ", ".join(TYPES)
INT64 = (PHP_INT_MIN, PHP_INT_MAX)
"""What ``FILTER_VALIDATE_INT`` reads: PHP's integers."""
_BLANK = "An empty or blank value is no filter; surrounding whitespace is ignored."

PHONE_NUMBER = r"\+?(?=(?:[^0-9]*[0-9]){3})[0-9\t\n\x0b\x0c\r ().\-]{3,32}"
"""Laravel's ``/^\\+?[0-9\\s\\-().]{3,32}$/`` (PCRE's ASCII ``\\s``) and
``/^(?:\\D*\\d){3}/`` in one (``schemas.PHONE_CHARACTERS``, ``PHONE_THREE_DIGITS``)."""


def _query(name: str, schema: dict[str, Any], description: str, example: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
        "example": example,
    }


def _choice(values: tuple[str, ...]) -> dict[str, Any]:
    """One of ``values`` (the enum, for the reader), or blank-padded or blank (the rest)."""
    pattern = cleaned("|".join(values))  # the values are letters, "_" and "-"
    return {"anyOf": [{"enum": list(values)}, {"type": "string", "pattern": pattern}]}


LIST_PARAMETERS: list[dict[str, Any]] = [
    _query(
        "status",
        _choice(STATUSES),
        f"Only calls with this status: {_STATUS_LIST}. Otherwise 422 "
        f"`The selected status is invalid.` {_BLANK}",
        "completed",
    ),
    _query(
        "type",
        _choice(TYPES),
        f"Only calls of this type: {_TYPE_LIST}. Otherwise 422 "
        f"`The selected type is invalid.` {_BLANK}",
        "outbound",
    ),
    _query(
        "phone_number",
        {"type": "string", "pattern": cleaned(PHONE_NUMBER)},
        "Client phone number, compared by digits only: the call matches when the client "
        "number's digits contain these digits (`654-3210` finds `+19876543210`). An "
        "optional leading `+`, then 3 to 32 characters of digits, ASCII whitespace (space, "
        "tab, LF, VT, FF, CR) and `( ) - .`, at least 3 of them digits; otherwise 422 "
        f"`The phone number field format is invalid.` {_BLANK}",
        "+1 (987) 654-3210",
    ),
    _query(
        "assistant_id",
        query_integer(*INT64),
        "Only calls of this assistant: a 64-bit integer. Otherwise 422 "
        f"`The assistant id field must be an integer.` {_BLANK}",
        12,
    ),
    _query(
        "campaign_id",
        query_integer(*INT64),
        "Only calls of this campaign: a 64-bit integer. Otherwise 422 "
        f"`The campaign id field must be an integer.` {_BLANK}",
        3,
    ),
    _query(
        "date_from",
        {"type": "string", "pattern": cleaned(YMD_DATE)},
        "Calls created on or after this calendar day (`YYYY-MM-DD`, a real date, display "
        "timezone). Otherwise 422 `The date from field must match the format Y-m-d.` "
        f"{_BLANK}",
        "2025-08-01",
    ),
    _query(
        "date_to",
        {"type": "string", "pattern": cleaned(YMD_DATE)},
        "Calls created on or before this calendar day (`YYYY-MM-DD`, inclusive). It must "
        "not precede `date_from` (a rule between two parameters, which a schema cannot "
        "say): `The date to field must be a date after or equal to date from.` "
        f"{_BLANK}",
        "2025-08-31",
    ),
    _query(
        "per_page",
        query_integer(1, MAX_PER_PAGE, default=DEFAULT_PER_PAGE),
        f"Calls per page, 1 to {MAX_PER_PAGE} (`The per page field must not be greater than "
        f"{MAX_PER_PAGE}.`). {_BLANK}",
        15,
    ),
    _query(
        "page",
        query_integer(1, INT64[1], default=1),
        f"Page number; a page past the end answers an empty `data`. {_BLANK}",
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

TIMESTAMP = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
JsonDocument = dict[str, Any] | list[Any] | None
"""A stored JSON object or array (PHP prints an empty or ``0..n-1``-keyed object as an
array), or null."""


class CallItem(BaseModel):
    """One call, keys in the contract's order; nullable fields are always present."""

    model_config = ConfigDict(extra="forbid")

    id: int = Field(json_schema_extra={"format": "int64"})
    assistant_name: str | None
    campaign_name: str | None
    type: str = Field(json_schema_extra={"enum": list(TYPES)})
    duration: int | None = Field(description="Seconds.")
    assistant_phone_number: str | None
    client_phone_number: str | None
    status: str = Field(json_schema_extra={"enum": list(STATUSES)})
    transcript: str | None
    variables: JsonDocument
    evaluation: JsonDocument
    webhook_response: JsonDocument
    carrier_cost: float | None
    total_cost: float | None
    answered_by: str | None
    recording_url: str | None
    created_at: str = Field(pattern=TIMESTAMP, description="Display timezone.")
    updated_at: str = Field(pattern=TIMESTAMP, description="Display timezone.")


class PageLink(BaseModel):
    """One entry of the paginator's ``links``: previous, page numbers, ``...``, next."""

    model_config = ConfigDict(extra="forbid")

    url: str | None
    label: str
    active: bool


class CallPage(BaseModel):
    """Laravel's ``LengthAwarePaginator`` JSON, keys in this order."""

    model_config = ConfigDict(extra="forbid")

    current_page: int = Field(ge=1)
    data: list[CallItem]
    first_page_url: str
    from_: int | None = Field(alias="from", ge=1)
    last_page: int = Field(ge=1)
    last_page_url: str
    links: list[PageLink]
    next_page_url: str | None
    path: str
    per_page: int = Field(ge=1, le=MAX_PER_PAGE)
    prev_page_url: str | None
    to: int | None = Field(ge=1)
    total: int = Field(ge=0)


CallId = Annotated[
    str,
    Path(
        description="The call's id. Any other text (or another user's call) is an unknown "
        "call: 404.",
        json_schema_extra={"minLength": 1},  # the route takes no empty id: documented only
        examples=["1042"],
    ),
]

_CALL_LINKS = {
    "GetCall": {"operationId": "get_call", "parameters": {"call_id": "$response.body#/id"}},
    "DeleteCall": {"operationId": "delete_call", "parameters": {"call_id": "$response.body#/id"}},
}

LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Laravel LengthAwarePaginator JSON, keys in this order.",
        "content": {"application/json": {"example": EXAMPLE_PAGE}},
        "links": {
            name: {**link, "parameters": {"call_id": "$response.body#/data/0/id"}}
            for name, link in _CALL_LINKS.items()
        },
    },
    422: invalid(
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

_UNKNOWN_CALL = error(
    "No such call for this user (another user's call answers the same); or an id with a "
    "`/`, which no route takes (`The route … could not be found.`).",
    "No query results for model [App\\Models\\Call] 123",
)

ONE_CALL_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One call item.",
        "content": {"application/json": {"example": EXAMPLE_CALL}},
        "links": {"DeleteCall": _CALL_LINKS["DeleteCall"]},
    },
    404: _UNKNOWN_CALL,
}

DELETE_RESPONSES: dict[int | str, dict[str, Any]] = {
    204: {"description": "Deleted."},
    404: _UNKNOWN_CALL,
}
