"""Schemathesis hooks for ``python -m tests.contract.live``.

``date_to`` must not precede ``date_from``: a rule between two parameters, which an
OpenAPI document cannot state. Two valid days drawn at random are put in order before the
request is sent, so a request the document calls valid is one the rules accept; a request
with another invalid value stays invalid.
"""

from __future__ import annotations

from typing import Any

import schemathesis

from callvault.laravel.dates import matches_ymd
from callvault.laravel.query import trim_string


def _day(query: dict[str, Any], name: str) -> str | None:
    value = query.get(name)
    if not isinstance(value, str):
        return None
    day = trim_string(value)
    return day if matches_ymd(day) else None


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    query = case.query
    if not isinstance(query, dict):
        return
    first, last = _day(query, "date_from"), _day(query, "date_to")
    if first is not None and last is not None and last < first:
        query["date_from"], query["date_to"] = query["date_to"], query["date_from"]
