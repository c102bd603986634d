"""JSON text as the rest of the world reads it: strict RFC 8259, integers kept exact."""

from __future__ import annotations

import json
from typing import Any, NoReturn

import orjson

from callvault.db.json_columns import has_long_integer


def _refuse_constant(name: str) -> NoReturn:
    raise json.JSONDecodeError(f"{name} is not valid JSON", name, 0)


def loads_strict(text: str | bytes) -> Any:
    """Parse JSON text, refusing what PHP and PostgreSQL refuse.

    ``NaN``, ``±Infinity``, numbers that overflow a double and unpaired surrogates are
    errors (``json.JSONDecodeError``): a stored NaN could never be printed by the API again.
    """
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if not has_long_integer(data):
        return orjson.loads(data)
    orjson.loads(data)  # the same acceptance rules; only the numbers are read again
    return json.loads(data, parse_constant=_refuse_constant)
