"""JSON text as the rest of the world reads it: no NaN or Infinity."""

from __future__ import annotations

import json
from typing import Any, NoReturn


def _refuse_constant(name: str) -> NoReturn:
    raise json.JSONDecodeError(f"{name} is not valid JSON", name, 0)


def loads_strict(text: str | bytes) -> Any:
    """``json.loads`` without Python's extensions: ``NaN`` and ``±Infinity`` are refused.

    PHP and PostgreSQL reject them, and a stored NaN could never be printed by the API again.
    """
    return json.loads(text, parse_constant=_refuse_constant)
