"""The management endpoints' request bodies, validated with Laravel's messages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from callvault.errors import ValidationFailed
from callvault.laravel.php import filter_validate_int
from callvault.webhooks.service import DEFAULT_GRACE

DEFAULT_NAME = "webhook"
MAX_NAME = 255
MAX_GRACE_SECONDS = 30 * 86400


def endpoint_name(body: dict[str, Any]) -> str:
    """``name``: a string of at most 255 characters without NUL (PostgreSQL text cannot
    hold one); ``webhook`` when absent."""
    name = body.get("name", DEFAULT_NAME)
    if not isinstance(name, str):
        raise ValidationFailed.single("name", "The name field must be a string.")
    if len(name) > MAX_NAME:
        message = f"The name field must not be greater than {MAX_NAME} characters."
        raise ValidationFailed.single("name", message)
    if "\x00" in name:
        raise ValidationFailed.single("name", "The name field must not contain NUL characters.")
    return name


def grace_period(body: dict[str, Any]) -> timedelta:
    """``grace_seconds``: an integer (or integer string) from 0 to 30 days; a day when absent."""
    if "grace_seconds" not in body:
        return DEFAULT_GRACE
    value = body["grace_seconds"]
    seconds = value if type(value) is int else filter_validate_int(value)
    if seconds is None:
        rule = "must be an integer"
    elif seconds < 0:
        rule = "must be at least 0"
    elif seconds > MAX_GRACE_SECONDS:
        rule = f"must not be greater than {MAX_GRACE_SECONDS}"
    else:
        return timedelta(seconds=seconds)
    raise ValidationFailed.single("grace_seconds", f"The grace seconds field {rule}.")
