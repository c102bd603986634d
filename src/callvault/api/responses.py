"""JSON exactly as Laravel's ``JsonResponse`` writes it: ``json_encode`` with no flags."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from starlette.responses import Response


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
    return all(str(key) == str(index) for index, key in enumerate(table))


def _encode(value: Any, out: list[str]) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        out.append(json.dumps(value, ensure_ascii=True))
    elif isinstance(value, float):
        out.append(php_float(value))
    elif isinstance(value, dict) and not _is_list(value):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            out.append("," if index else "")
            out.append(json.dumps(str(key), ensure_ascii=True) + ":")
            _encode(item, out)
        out.append("}")
    elif isinstance(value, dict | list | tuple):
        out.append("[")
        for index, item in enumerate(value.values() if isinstance(value, dict) else value):
            out.append("," if index else "")
            _encode(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def php_json(content: Any) -> bytes:
    """PHP ``json_encode`` of PHP arrays: compact, ``\\uXXXX`` for non-ASCII, ``\\/`` for ``/``.

    Dicts stand for PHP arrays, so an empty one or one keyed ``0..n-1`` prints as a list
    (what ``json_decode(..., true)`` then ``json_encode`` does to ``{}`` and ``{"0": …}``).
    A ``/`` can only occur inside a JSON string, so escaping it afterwards is exact.
    """
    out: list[str] = []
    _encode(content, out)
    return "".join(out).replace("/", "\\/").encode("ascii")


class PhpJsonResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return php_json(content)


def message_response(
    message: str, status_code: int, headers: dict[str, str] | None = None, **extra: Any
) -> PhpJsonResponse:
    """The contract's error body: ``{"message": …}`` plus any extra keys (``errors``)."""
    return PhpJsonResponse({"message": message, **extra}, status_code=status_code, headers=headers)
