"""PHP scalar semantics Laravel's validator leans on: ``FILTER_VALIDATE_INT`` and ``is_numeric``."""

from __future__ import annotations

import re
from decimal import Decimal

PHP_INT_MAX = 2**63 - 1
PHP_INT_MIN = -(2**63)

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
    if not _FILTER_INT.match(text):
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
    answers bad input with a 500, so such numbers are compared too, their exponent clamped
    to a magnitude that still compares the same against any validation bound.
    """
    text = value.strip(" \t\n\r\x0b\x0c").lower()
    mantissa, marker, exponent = text.partition("e")
    if marker and abs(int(exponent)) > _EXPONENT_CLAMP:
        clamped = _EXPONENT_CLAMP if int(exponent) > 0 else -_EXPONENT_CLAMP
        text = f"{mantissa}e{clamped}"
    return Decimal(text)


_EXPONENT_CLAMP = 10_000
