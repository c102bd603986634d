"""Just enough of PHP's date parsing for ``date_format:Y-m-d`` and ``after_or_equal``.

``DateTime::createFromFormat('!Y-m-d', …)`` accepts out-of-range parts and rolls them over
(2025-02-30 becomes 2025-03-02); ``date_format`` then rejects any value that does not format
back to itself. Dates are proleptic Gregorian with a year 0, as in PHP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LENIENT_YMD = re.compile(r"([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2})\Z")
_FALLBACK_FORMATS = (
    re.compile(
        r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})"
        r"(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?\Z"
    ),
)


def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


@dataclass(frozen=True, order=True)
class PhpDateTime:
    """A wall-clock moment, comparable, valid for any year PHP can parse."""

    year: int
    month: int
    day: int
    seconds: int = 0

    def ymd(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def _normalise(year: int, month: int, day: int, seconds: int = 0) -> PhpDateTime:
    """Roll out-of-range months and days over like timelib does."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    while day < 1:
        month -= 1
        if month < 1:
            month, year = 12, year - 1
        day += days_in_month(year, month)
    while day > days_in_month(year, month):
        day -= days_in_month(year, month)
        month += 1
        if month > 12:
            month, year = 1, year + 1
    return PhpDateTime(year, month, day, seconds)


def create_from_ymd(value: str) -> PhpDateTime | None:
    """``DateTime::createFromFormat('!Y-m-d', $value)``: lenient, or None where PHP says false."""
    match = _LENIENT_YMD.match(value)
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    return _normalise(year, month, day)


def matches_ymd(value: str) -> bool:
    """Laravel's ``date_format:Y-m-d``: parses, and formats back to exactly the input."""
    parsed = create_from_ymd(value)
    return parsed is not None and parsed.ymd() == value


def parse_date(value: str) -> PhpDateTime | None:
    """The date ``after_or_equal`` compares: ``Y-m-d`` first, then a few common layouts.

    Laravel falls back to ``Carbon::parse`` (``strtotime``); relative phrases are not
    supported here and count as unparsable, which fails the comparison.
    """
    parsed = create_from_ymd(value)
    if parsed is not None:
        return parsed
    for pattern in _FALLBACK_FORMATS:
        match = pattern.match(value)
        if match:
            year, month, day = (int(part) for part in match.groups()[:3])
            hour, minute, second = (int(part or 0) for part in match.groups()[3:])
            if month > 12 or day > 31 or hour > 23 or minute > 59 or second > 59:
                return None
            return _normalise(year, month, day, hour * 3600 + minute * 60 + second)
    return None
