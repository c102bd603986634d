"""The enumerations and item keys fixed by the contract (the seed page)."""

from __future__ import annotations

import re

STATUSES: tuple[str, ...] = (
    "initiated",
    "ringing",
    "busy",
    "in-progress",
    "ended",
    "completed",
    "ended_by_customer",
    "ended_by_assistant",
    "no-answer",
    "failed",
)
TYPES: tuple[str, ...] = ("inbound", "outbound", "web")

ITEM_KEYS: tuple[str, ...] = (
    "id",
    "assistant_name",
    "campaign_name",
    "type",
    "duration",
    "assistant_phone_number",
    "client_phone_number",
    "status",
    "transcript",
    "variables",
    "evaluation",
    "webhook_response",
    "carrier_cost",
    "total_cost",
    "answered_by",
    "recording_url",
    "created_at",
    "updated_at",
)


CALL_COLUMNS: tuple[str, ...] = (
    "assistant_id",
    "campaign_id",
    "type",
    "duration",
    "assistant_phone_number",
    "client_phone_number",
    "status",
    "transcript",
    "variables",
    "evaluation",
    "webhook_response",
    "carrier_cost",
    "total_cost",
    "answered_by",
    "recording_url",
    "created_at",
    "updated_at",
)
"""The stored columns a record sets (besides the key and ``client_phone_digits``)."""


_NOT_DIGITS = re.compile(r"[^0-9]+")


def phone_digits(number: str | None) -> str | None:
    """The ASCII digits of a phone number, the form phone filters compare."""
    if number is None:
        return None
    return _NOT_DIGITS.sub("", number) or None
