"""PHP scalar semantics Laravel's validator leans on: ``FILTER_VALIDATE_INT`` and ``is_numeric``."""

from __future__ import annotations

import re
from decimal import Decimal

PHP_INT_MAX = 2**63 - 1
PHP_INT_MIN = -(2**63)
PHP_INT_DIGITS = len(str(PHP_INT_MAX))
"""No PHP integer has more digits: a longer decimal string is out of range, and is never
handed to ``int()`` (which refuses 4,301 digits and more, and is slow well before that)."""

_FILTER_INT = re.compile(r"[+-]?(0|[1-9][0-9]*)\Z")
_FILTER_TRIM = " \t\r\x0b\n"
_IS_NUMERIC = re.compile(
    r"[ \t\n\r\x0b\x0c]*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t\n\r\x0b\x0c]*\Z"
)


def filter_validate_int(value: object) -> int | None:
    """``filter_var($value, FILTER_VALIDATE_INT)``: the integer, or None where PHP says false."""
    if not isinstance(value, str):
        return None
    text = value.strip(_FILTER_TRIM)
    if not _FILTER_INT.match(text) or len(text.lstrip("+-")) > PHP_INT_DIGITS:
        return None
    number = int(text)
    if not PHP_INT_MIN <= number <= PHP_INT_MAX:
        return None
    return number


def is_numeric(value: object) -> bool:
    """PHP 8 ``is_numeric`` for a string: decimal or exponent notation, outer whitespace allowed."""
    return isinstance(value, str) and _IS_NUMERIC.match(value) is not None


def numeric_value(value: str) -> Decimal:
    """The exact number a numeric string stands for, as ``BigNumber::of`` reads it.

    Laravel throws a ``MathException`` (a 500) for exponents beyond ±1000; callvault never
    answers bad input with a 500, so such numbers are compared too. An exponent too large
    for ``Decimal`` (or ``int()``) is clamped to the mantissa's length plus a margin: the
    number stays on the same side of every bound smaller than ``10**_EXPONENT_MARGIN``.
    """
    text = value.strip(" \t\n\r\x0b\x0c").lower()
    mantissa, marker, exponent = text.partition("e")
    if marker:
        digits = exponent.lstrip("+-").lstrip("0")
        limit = len(mantissa) + _EXPONENT_MARGIN
        if len(digits) > len(str(limit)) or int(digits or "0") > limit:
            text = f"{mantissa}e{'-' if exponent.startswith('-') else ''}{limit}"
    return Decimal(text)


_EXPONENT_MARGIN = 10_000
