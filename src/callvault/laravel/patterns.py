"""What Laravel's input cleaning and PHP's integer filter accept, as JSON Schema patterns.

JSON Schema patterns are ECMAScript regexes; these use only syntax that ECMAScript, Python
and Rust (schemathesis validates with ``jsonschema-rs``) read alike: classes, ``\\t``,
``\\xHH`` and ``\\uHHHH`` escapes, groups, bounded repeats and one lookahead.
"""

from __future__ import annotations

TRIMMED = (
    r"[\t\n\x0b\x0c\r \u0085\u00a0\u1680\u180e\u2000-\u200b"
    r"\u2028\u2029\u202f\u205f\u3000\ufeff]"
)
"""A character ``TrimStrings`` removes from either end of a value (``query.trim_string``)."""

FILTER_TRIMMED = r"[\t\n\x0b\r ]"
"""A character ``FILTER_VALIDATE_INT`` ignores at either end (form feed is not one)."""


_LEAP_YEAR = r"[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00"
YMD_DATE = (
    r"[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    rf"|(?:{_LEAP_YEAR})-02-29"
)
"""``date_format:Y-m-d``: a real day of a proleptic Gregorian year 0000 to 9999 (year 0
is a leap year, as in PHP)."""


def _group(pattern: str) -> str:
    return f"(?:{pattern})"


def _span(low: str, high: str) -> str:
    """Digit strings of one length from ``low`` to ``high`` (both that long)."""
    if low == high:
        return low
    if len(low) == 1:
        return f"[{low}-{high}]"
    if low[0] == high[0]:
        return low[0] + _group(_span(low[1:], high[1:]))
    rest = len(low) - 1
    parts = []
    first, last = int(low[0]), int(high[0])
    if low[1:] != "0" * rest:
        parts.append(low[0] + _group(_span(low[1:], "9" * rest)))
        first += 1
    tail = None
    if high[1:] != "9" * rest:
        tail = high[0] + _group(_span("0" * rest, high[1:]))
        last -= 1
    if first <= last:
        digit = str(first) if first == last else f"[{first}-{last}]"
        parts.append(digit + ("[0-9]" if rest == 1 else f"[0-9]{{{rest}}}"))
    if tail is not None:
        parts.append(tail)
    return "|".join(parts)


def decimal_range(low: int, high: int) -> str:
    """Decimal numbers from ``low`` to ``high`` (``0 <= low <= high``), without leading
    zeros."""
    parts = []
    for length in range(len(str(low)), len(str(high)) + 1):
        least = low if length == len(str(low)) else 10 ** (length - 1)
        most = high if length == len(str(high)) else 10**length - 1
        parts.append(_span(str(least), str(most)))
    return "|".join(parts)


def php_integer(low: int, high: int) -> str:
    """The strings ``FILTER_VALIDATE_INT`` reads as an integer from ``low`` to ``high``
    (``[+-]?(0|[1-9][0-9]*)``: ``+5`` and ``-0`` are integers, ``05`` and ``5.0`` are not),
    without the whitespace it ignores."""
    parts = []
    if high >= 0:
        parts.append(rf"\+?{_group(decimal_range(max(low, 0), high))}")
        if low <= 0:
            parts.append("-0")
    if low < 0:
        parts.append(f"-{_group(decimal_range(max(-high, 1), -low))}")
    return "|".join(parts)


def cleaned(value: str) -> str:
    """A query value that ``TrimStrings`` then ``ConvertEmptyStringsToNull`` turn into
    nothing (the parameter is then ignored) or into a ``value`` match."""
    return f"^{TRIMMED}*(?:{value})?{TRIMMED}*$"
