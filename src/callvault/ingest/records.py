"""``CallRecord``: one call as a webhook, an import line or a sync page carries it, validated.

The shape is the list endpoint's call item plus optional ``assistant_id`` and
``campaign_id``. ``id``, ``type`` and ``status`` are required; every other field may be
null or absent. Messages follow Laravel's wording with the attribute's path
(``The selected call.status is invalid.``), so a 422 reads like the rest of the API.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from callvault.calls.fields import STATUSES, TYPES, phone_digits

BIGINT = (-(2**63), 2**63 - 1)
INTEGER = (-(2**31), 2**31 - 1)
INT_RANGES: dict[str, tuple[int, int]] = {
    "duration": INTEGER,
    "assistant_id": BIGINT,
    "campaign_id": BIGINT,
}
"""The optional integer fields and what their columns hold (``Integer``, ``BigInteger``)."""

MAX_JSON_DEPTH = 512 - 3
"""PHP's ``json_encode`` refuses arrays nested deeper than 512; a list page holds a JSON
field inside the page, its ``data`` and the item, so the field's own value may nest 509
arrays/objects deep (an empty one counts)."""

EARLIEST = datetime(1, 1, 2)
END = datetime(9999, 12, 31)
"""Stored times are UTC and printed in the display timezone, at most a day away (and it may
change later): ``[EARLIEST, END)`` can be printed in every zone."""
_AFTER_EARLIEST = f"after or equal to {EARLIEST} UTC."
_BEFORE_END = f"before {END} UTC."

STRING_FIELDS: dict[str, int] = {
    "assistant_phone_number": 64,
    "client_phone_number": 64,
    "transcript": 1_000_000,
    "answered_by": 64,
    "recording_url": 8192,
    "assistant_name": 255,
    "campaign_name": 255,
}
JSON_FIELDS = ("variables", "evaluation", "webhook_response")
NUMBER_FIELDS = ("carrier_cost", "total_cost")
TIME_FIELDS = ("created_at", "updated_at")


class RecordInvalid(ValueError):
    """The record breaks a rule; ``errors`` maps the attribute path to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(slots=True)
class CallRecord:
    """A validated call. ``values`` holds ``CALL_COLUMNS``; times are naive UTC or None."""

    id: int
    values: dict[str, Any]
    assistant_name: str | None
    campaign_name: str | None

    @property
    def status(self) -> str:
        status: str = self.values["status"]
        return status


def _integer(value: Any) -> int | None:
    """An integer, or a JSON number with no fraction (``5.0``: an integer to JSON Schema
    and to Laravel's ``integer`` rule); None for anything else."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def json_deeper_than(value: list[Any] | dict[str, Any], limit: int) -> bool:
    """Whether ``value`` nests more than ``limit`` arrays/objects; walked without recursion
    (the input may be nested as deep as the parser allows), stopping at the first too deep."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > limit:
            return True
        for child in node.values() if isinstance(node, dict) else node:
            if isinstance(child, dict | list):
                pending.append((child, depth + 1))
    return False


def parse_timestamp(value: str, zone: ZoneInfo) -> datetime | None:
    """``YYYY-MM-DD HH:MM:SS`` in ``zone``, or ISO 8601 with an offset; naive UTC, seconds.

    A moment before year 1 or after 9999 in UTC comes back as ``datetime.min``/``max``.
    """
    text = value.strip()
    if len(text) < 19 or text[4] != "-" or text[7] != "-":
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        if zone.key == "UTC":
            return moment.replace(microsecond=0) if moment.microsecond else moment
        moment = moment.replace(tzinfo=zone)
    try:
        return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    except OverflowError:
        return datetime.min if moment.year == 1 else datetime.max


def parse_call(data: Any, zone: ZoneInfo, prefix: str = "") -> CallRecord:
    """Validate one call object; raise ``RecordInvalid`` listing every broken rule."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(f"{prefix}{field}", []).append(
            message.replace(":attribute", f"{prefix}{field}".replace("_", " "))
        )

    if not isinstance(data, dict):
        raise RecordInvalid({prefix.rstrip(".") or "call": ["The call must be a JSON object."]})
    values: dict[str, Any] = {}
    raw_id = data.get("id")
    call_id = _integer(raw_id)
    if raw_id is None:
        fail("id", "The :attribute field is required.")
    elif call_id is None or call_id < 1:
        fail("id", "The :attribute field must be a positive integer.")
    elif call_id > BIGINT[1]:
        fail("id", f"The :attribute field must not be greater than {BIGINT[1]}.")
    for field, allowed in (("type", TYPES), ("status", STATUSES)):
        value = data.get(field)
        if value is None:
            fail(field, "The :attribute field is required.")
        elif not isinstance(value, str) or value not in allowed:
            fail(field, "The selected :attribute is invalid.")
        values[field] = value
    for field, (least, most) in INT_RANGES.items():
        raw = data.get(field)
        value = _integer(raw)
        if raw is None:
            pass
        elif value is None:
            fail(field, "The :attribute field must be an integer.")
        elif value < least:
            fail(field, f"The :attribute field must be at least {least}.")
        elif value > most:
            fail(field, f"The :attribute field must not be greater than {most}.")
        values[field] = value
    for field in NUMBER_FIELDS:
        value = data.get(field)
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            fail(field, "The :attribute field must be a number.")
        values[field] = None if value is None else float(value) if _is_number(value) else value
    names: dict[str, str | None] = {}
    for field, limit in STRING_FIELDS.items():
        value = data.get(field)
        if value is not None:
            if not isinstance(value, str):
                fail(field, "The :attribute field must be a string.")
            elif len(value) > limit:
                fail(field, f"The :attribute field must not be greater than {limit} characters.")
            elif "\x00" in value:  # PostgreSQL text cannot hold it; refused on both stores
                fail(field, "The :attribute field must not contain NUL characters.")
        if field.endswith("_name"):
            names[field] = value
        else:
            values[field] = value
    for field in JSON_FIELDS:
        value = data.get(field)
        if value is not None:
            if not isinstance(value, (dict, list)):
                fail(field, "The :attribute field must be an array.")
            elif json_deeper_than(value, MAX_JSON_DEPTH):
                message = f"must not be nested more than {MAX_JSON_DEPTH} levels deep."
                fail(field, f"The :attribute field {message}")
        values[field] = value
    for field in TIME_FIELDS:
        value = data.get(field)
        moment = None
        if value is not None:
            moment = parse_timestamp(value, zone) if isinstance(value, str) else None
            if moment is None:
                fail(field, "The :attribute field must be a valid date.")
            elif moment < EARLIEST:
                fail(field, f"The :attribute field must be a date {_AFTER_EARLIEST}")
            elif moment >= END:
                fail(field, f"The :attribute field must be a date {_BEFORE_END}")
        values[field] = moment
    if errors:
        raise RecordInvalid(errors)
    assert isinstance(call_id, int)
    return CallRecord(call_id, values, names["assistant_name"], names["campaign_name"])


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def storage_row(record: CallRecord, now: datetime) -> dict[str, Any]:
    """The column values of a brand-new call: missing times become ``now``."""
    row = dict(record.values)
    row["id"] = record.id
    row["updated_at"] = row["updated_at"] or now
    row["created_at"] = row["created_at"] or row["updated_at"]
    row["client_phone_digits"] = phone_digits(row["client_phone_number"])
    return row
