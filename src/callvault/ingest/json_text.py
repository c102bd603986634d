"""JSON text as the rest of the world reads it: strict RFC 8259, integers kept exact."""

from __future__ import annotations

import json
from typing import Any, NoReturn

import orjson

# orjson reads integers beyond 64 bits as floats; a run of 20 digits sends the text to the
# standard library instead, which keeps them exact (rare: ids, costs and phones are shorter).
# Mapping every digit to "0" and searching for twenty of them is ten times faster than a regex.
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_TWENTY_DIGITS = b"0" * 20


def _refuse_constant(name: str) -> NoReturn:
    raise json.JSONDecodeError(f"{name} is not valid JSON", name, 0)


def loads_strict(text: str | bytes) -> Any:
    """Parse JSON text, refusing what PHP and PostgreSQL refuse.

    ``NaN``, ``±Infinity``, numbers that overflow a double and unpaired surrogates are
    errors (``json.JSONDecodeError``): a stored NaN could never be printed by the API again.
    """
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if _TWENTY_DIGITS not in data.translate(_DIGITS_TO_ZERO):
        return orjson.loads(data)
    orjson.loads(data)  # the same acceptance rules; only the numbers are read again
    return json.loads(data, parse_constant=_refuse_constant)
