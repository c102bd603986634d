"""The list endpoint's input rules and the call item's output shape."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from callvault.calls.fields import ITEM_KEYS, STATUSES, TYPES, phone_digits
from callvault.calls.filters import CallFilters, day_start_utc, next_day
from callvault.errors import ValidationFailed
from callvault.laravel.dates import create_from_ymd
from callvault.laravel.php import filter_validate_int
from callvault.laravel.query import PhpArray
from callvault.laravel.validation import (
    AfterOrEqual,
    DateFormatYmd,
    In,
    Integer,
    Max,
    Min,
    Regex,
    Rule,
    String,
    validate,
)

DEFAULT_PER_PAGE = 15
MAX_PER_PAGE = 100

# Laravel's /^\+?[0-9\s\-().]{3,32}$/ and /^(?:\D*\d){3}/ without /u: PCRE's \s and \d
# are ASCII there (Python's are Unicode), so both classes are spelled out.
PHONE_CHARACTERS = re.compile(r"^\+?[0-9 \t\n\x0b\x0c\r().\-]{3,32}$")
PHONE_THREE_DIGITS = re.compile(r"^(?:[^0-9]*[0-9]){3}")

LIST_RULES: dict[str, tuple[Rule, ...]] = {
    "status": (In(STATUSES),),
    "type": (In(TYPES),),
    "phone_number": (String(), Regex(PHONE_CHARACTERS), Regex(PHONE_THREE_DIGITS)),
    "assistant_id": (Integer(),),
    "campaign_id": (Integer(),),
    "date_from": (DateFormatYmd(),),
    "date_to": (DateFormatYmd(), AfterOrEqual("date_from")),
    "per_page": (Integer(), Min(1), Max(MAX_PER_PAGE)),
    "page": (Integer(), Min(1)),
}


@dataclass(frozen=True)
class CallListQuery:
    filters: CallFilters
    page: int
    per_page: int


def _int(query: PhpArray, field: str) -> int | None:
    value = query.get(field)
    return filter_validate_int(value) if isinstance(value, str) else None


def _str(query: PhpArray, field: str) -> str | None:
    value = query.get(field)
    return value if isinstance(value, str) else None


def _date_bounds(query: PhpArray, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """UTC bounds of the inclusive calendar days ``date_from`` .. ``date_to`` in ``zone``.

    PHP accepts years 0 to 9999; where a bound falls outside Python's datetime range it
    either bounds nothing (before year 1, after 9999) or excludes everything.
    """
    start = end = None
    date_from = create_from_ymd(_str(query, "date_from") or "")
    if date_from is not None and date_from.year >= 1:
        start = day_start_utc(date_from.year, date_from.month, date_from.day, zone)
    date_to = create_from_ymd(_str(query, "date_to") or "")
    if date_to is not None:
        if date_to.year < 1:
            end = datetime.min
        else:
            following = next_day(date_to.year, date_to.month, date_to.day)
            if following is not None:
                end = day_start_utc(*following, zone) or datetime.min
    return start, end


def parse_list_query(query: PhpArray, zone: ZoneInfo) -> CallListQuery:
    """Validate a cleaned query like Laravel would; raise ``ValidationFailed`` (422) if not."""
    result = validate(query, LIST_RULES)
    if result.failed:
        raise ValidationFailed(result.summary(), result.errors)
    created_from, created_before = _date_bounds(query, zone)
    filters = CallFilters(
        status=_str(query, "status"),
        type=_str(query, "type"),
        assistant_id=_int(query, "assistant_id"),
        campaign_id=_int(query, "campaign_id"),
        phone_digits=phone_digits(_str(query, "phone_number")),
        created_from=created_from,
        created_before=created_before,
    )
    return CallListQuery(
        filters=filters,
        page=_int(query, "page") or 1,
        per_page=_int(query, "per_page") or DEFAULT_PER_PAGE,
    )


def format_timestamp(value: datetime, zone: ZoneInfo | None) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in the display timezone (``None`` means UTC); the year has
    four digits at least, like PHP's ``Y``."""
    if zone is not None:
        value = value.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
    return value.isoformat(" ", "seconds")


UNPLAIN_FIELDS = ("variables", "evaluation", "webhook_response", "carrier_cost", "total_cost")
"""The item's fields that may hold JSON documents or floats; every other field is a string,
an integer or null by its column type."""


def call_item(row: Sequence[Any], zone: ZoneInfo | None) -> dict[str, Any]:
    """One call as the contract prints it: the seed's keys, in the seed's order.

    ``row`` holds the item's values in ``ITEM_KEYS`` order, as ``statements.ITEMS`` selects
    them (read by position: a page holds many); values after them are not part of the item.
    """
    item = dict(zip(ITEM_KEYS, row, strict=False))
    item["created_at"] = format_timestamp(item["created_at"], zone)
    item["updated_at"] = format_timestamp(item["updated_at"], zone)
    return item
