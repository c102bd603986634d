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

MAX_BIGINT = 2**63 - 1

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
OPTIONAL_INT_FIELDS = ("duration", "assistant_id", "campaign_id")
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


def _is_int(value: Any) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and -MAX_BIGINT <= value <= MAX_BIGINT
    )


def parse_timestamp(value: str, zone: ZoneInfo) -> datetime | None:
    """``YYYY-MM-DD HH:MM:SS`` in ``zone``, or ISO 8601 with an offset; naive UTC, seconds."""
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
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)


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
    call_id = data.get("id")
    if call_id is None:
        fail("id", "The :attribute field is required.")
    elif not _is_int(call_id) or call_id < 1:
        fail("id", "The :attribute field must be a positive integer.")
    for field, allowed in (("type", TYPES), ("status", STATUSES)):
        value = data.get(field)
        if value is None:
            fail(field, "The :attribute field is required.")
        elif not isinstance(value, str) or value not in allowed:
            fail(field, "The selected :attribute is invalid.")
        values[field] = value
    for field in OPTIONAL_INT_FIELDS:
        value = data.get(field)
        if value is not None and not _is_int(value):
            fail(field, "The :attribute field must be an integer.")
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
        if value is not None and not isinstance(value, (dict, list)):
            fail(field, "The :attribute field must be an array.")
        values[field] = value
    for field in TIME_FIELDS:
        value = data.get(field)
        moment = None
        if value is not None:
            moment = parse_timestamp(value, zone) if isinstance(value, str) else None
            if moment is None:
                fail(field, "The :attribute field must be a valid date.")
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
