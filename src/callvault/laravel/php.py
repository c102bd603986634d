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


MAX_EXPONENT = 1000


class PhpMathError(ArithmeticError):
    """Laravel's ``MathException``: uncaught by the validator, so the request answers 500."""


class PhpTypeError(TypeError):
    """A PHP ``TypeError`` Laravel's validator lets through (an array where PHP wants a string)."""


def numeric_value(value: str) -> Decimal:
    """The exact number a numeric string stands for, as ``BigNumber::of`` reads it.

    Like Laravel's ``ensureExponentWithinAllowedRange``, an exponent beyond ±1000 raises.
    """
    text = value.strip(" \t\n\r\x0b\x0c")
    _, marker, exponent = text.lower().partition("e")
    if marker and abs(int(exponent)) > MAX_EXPONENT:
        raise PhpMathError("Scientific notation exponent outside of allowed range.")
    return Decimal(text)
