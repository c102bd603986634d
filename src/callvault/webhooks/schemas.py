"""The management endpoints' request bodies, validated with Laravel's messages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from callvault.errors import ValidationFailed
from callvault.laravel.php import filter_validate_int
from callvault.laravel.query import PhpArray
from callvault.laravel.validation import Integer, validate
from callvault.webhooks.service import DEFAULT_GRACE

DEFAULT_NAME = "webhook"
MAX_NAME = 255
MAX_GRACE_SECONDS = 30 * 86400
DEFAULT_LOG_LIMIT = 50
MAX_LOG_LIMIT = 500


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
    """``grace_seconds``: an integer (``86400``, ``86400.0`` or ``"86400"``) from 0 to 30
    days; a day when absent."""
    if "grace_seconds" not in body:
        return DEFAULT_GRACE
    value = body["grace_seconds"]
    if type(value) is int:
        seconds: int | None = value
    elif type(value) is float:  # JSON's integers include 86400.0 (Laravel's too)
        seconds = int(value) if value.is_integer() else None
    else:
        seconds = filter_validate_int(value)
    if seconds is None:
        rule = "must be an integer"
    elif seconds < 0:
        rule = "must be at least 0"
    elif seconds > MAX_GRACE_SECONDS:
        rule = f"must not be greater than {MAX_GRACE_SECONDS}"
    else:
        return timedelta(seconds=seconds)
    raise ValidationFailed.single("grace_seconds", f"The grace seconds field {rule}.")


def delivery_limit(query: PhpArray) -> int:
    """``limit`` of a delivery log query: an integer (Laravel's rule), taken as 1 to 500."""
    result = validate(query, {"limit": (Integer(),)})
    if result.failed:
        raise ValidationFailed(result.summary(), result.errors)
    value = query.get("limit")
    limit = filter_validate_int(value) if isinstance(value, str) else None
    return DEFAULT_LOG_LIMIT if limit is None else max(1, min(limit, MAX_LOG_LIMIT))
