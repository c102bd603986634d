"""JSON exactly as Laravel's ``JsonResponse`` writes it: ``json_encode`` with no flags."""

from __future__ import annotations

import math
import re
import secrets
from decimal import Decimal
from typing import Any

import orjson
import ujson
from starlette.responses import JSONResponse


def php_float(number: float) -> str:
    """A float as ``json_encode`` writes it (``serialize_precision = -1``, no zero fraction).

    Shortest round-trip digits; ``12.0`` is ``12``, ``1e20`` is ``1.0e+20``, ``1e-5`` is
    ``1.0e-5`` (exponent form below 1e-4 and from 1e18 on, like PHP's ``php_gcvt``).
    """
    if not math.isfinite(number):
        raise ValueError("json_encode cannot encode INF or NAN")
    sign, digit_tuple, exponent = Decimal(repr(number)).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple)) if number else "0"
    point = len(digits) + int(exponent) if number else 1
    minus = "-" if sign else ""
    if point < -3 or point > 17:
        mantissa = f"{digits[0]}.{digits[1:] or '0'}"
        power = point - 1
        return f"{minus}{mantissa}e{'-' if power < 0 else '+'}{abs(power)}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{digits}"
    if len(digits) <= point:
        return f"{minus}{digits}{'0' * (point - len(digits))}"
    return f"{minus}{digits[:point]}.{digits[point:]}"


def _is_list(table: dict[Any, Any]) -> bool:
    """A decoded JSON object PHP holds as a list (keys ``0..n-1`` in order) prints as one."""
    if not table:
        return True
    if next(iter(table)) not in (0, "0"):  # the common case, without walking every key
        return False
    return all(str(key) == str(index) for index, key in enumerate(table))


# Floats whose PHP spelling Python's encoder cannot produce travel as this marked string
# and are spliced back in after encoding; the random part keeps user text from colliding.
_RAW_MARK = f"php-float-{secrets.token_hex(8)}:"
_RAW_QUOTED = re.compile(rf'"{re.escape(_RAW_MARK)}([^"]*)"')
_RAW_MARK_BYTES = _RAW_MARK.encode("ascii")
_RAW_QUOTED_BYTES = re.compile(_RAW_QUOTED.pattern.encode("ascii"))

_EXACT_INTEGERS = 2**53


def _php_float_value(number: float) -> float | int | str:
    if not math.isfinite(number):
        raise ValueError("json_encode cannot encode INF or NAN")
    if not number.is_integer() and abs(number) >= 1e-4:
        return number  # the common case (costs): repr() already matches PHP
    negative_zero = number == 0 and math.copysign(1, number) < 0
    if number.is_integer() and abs(number) <= _EXACT_INTEGERS and not negative_zero:
        return int(number)  # exact, and PHP drops the ".0": 12.0 prints as 12
    return _RAW_MARK + php_float(number)


_PLAIN = frozenset({str, int, bool, type(None)})
"""Types ``json.dumps`` already prints as PHP does (``bool`` is checked by exact type)."""


def php_values(value: Any) -> Any:
    """What ``json.dumps`` needs to print ``value`` as PHP would: PHP spellings of floats,
    and dicts PHP holds as lists turned into lists. Plain values are passed over without a
    call (a page holds hundreds).

    Loops, not comprehensions: a comprehension is a frame of its own, and one frame per
    level keeps the deepest value ingest accepts (``records.MAX_JSON_DEPTH``) well inside
    Python's recursion limit.
    """
    kind = type(value)
    if kind in _PLAIN or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return _php_float_value(value)
    if isinstance(value, dict):
        if not _is_list(value):
            table: dict[str, Any] = {}
            for key, item in value.items():
                table[key if type(key) is str else str(key)] = (
                    item if type(item) in _PLAIN else php_values(item)
                )
            return table
        value = value.values()
    elif not isinstance(value, list | tuple):
        raise TypeError(f"cannot encode {type(value).__name__} as JSON")
    items: list[Any] = []
    for item in value:
        items.append(item if type(item) in _PLAIN else php_values(item))
    return items


def php_json(content: Any) -> bytes:
    """PHP ``json_encode`` of PHP arrays: compact, ``\\uXXXX`` for non-ASCII, ``\\/`` for ``/``.

    Dicts stand for PHP arrays, so an empty one or one keyed ``0..n-1`` prints as a list
    (what ``json_decode(..., true)`` then ``json_encode`` does to ``{}`` and ``{"0": …}``).
    """
    return encode_php_values(php_values(content))


def encode_php_values(values: Any) -> bytes:
    """``php_json`` of content whose values went through ``php_values`` already.

    orjson writes the same bytes as PHP for ASCII text (floats were made PHP-spellable by
    ``php_values``); a page holding other characters, or values orjson refuses (integers
    beyond 64 bits, nesting past 255 levels), is escaped by ujson instead. A ``/`` can only occur
    inside a JSON string, so escaping it afterwards is exact.
    """
    try:
        data = orjson.dumps(values)
    except orjson.JSONEncodeError:
        return _encode_ascii_escaped(values)
    if not data.isascii():
        return _encode_ascii_escaped(values)
    if _RAW_MARK_BYTES in data:
        data = _RAW_QUOTED_BYTES.sub(lambda match: match.group(1), data)
    return data.replace(b"/", b"\\/")


def _encode_ascii_escaped(values: Any) -> bytes:
    """``\\uXXXX`` (surrogate pairs beyond the BMP) for every character past ASCII and
    ``\\/`` for ``/``, as PHP writes them: ujson's defaults (DEL left raw, as PHP does),
    twice as fast as the standard library's encoder on a page of non-Latin transcripts."""
    text = ujson.dumps(values, ensure_ascii=True, escape_forward_slashes=True)
    if _RAW_MARK in text:
        text = _RAW_QUOTED.sub(lambda match: match.group(1), text)
    return text.encode("ascii")


class PhpJsonResponse(JSONResponse):
    """A ``JSONResponse`` (so the OpenAPI document shows a route's ``response_model``),
    written as PHP would."""

    def render(self, content: Any) -> bytes:
        return php_json(content)


class PhpValuesResponse(PhpJsonResponse):
    """For content built from ``php_values`` and plain values only (a page of calls, whose
    few non-plain fields were converted one by one): it is not walked again."""

    def render(self, content: Any) -> bytes:
        return encode_php_values(content)


def message_response(
    message: str, status_code: int, headers: dict[str, str] | None = None, **extra: Any
) -> PhpJsonResponse:
    """The contract's error body: ``{"message": …}`` plus any extra keys (``errors``)."""
    return PhpJsonResponse({"message": message, **extra}, status_code=status_code, headers=headers)


RETRY_UNAVAILABLE_AFTER = 5
"""Seconds a client is told to wait before retrying when the database cannot serve."""


def unavailable_response() -> PhpJsonResponse:
    """``503 {"message": "Service Unavailable"}``: the database cannot serve now."""
    headers = {"Retry-After": str(RETRY_UNAVAILABLE_AFTER)}
    return message_response("Service Unavailable", 503, headers=headers)
