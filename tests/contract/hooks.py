"""Schemathesis hooks for ``python -m tests.contract.live``.

- ``date_to`` must not precede ``date_from``: a rule between two parameters, which an
  OpenAPI document cannot state. Two valid days drawn at random are put in order before
  the request is sent, so a request the document calls valid is one the rules accept; a
  request with another invalid value stays invalid.
- Deliveries are signed: the secret of every endpoint schemathesis creates or rotates is
  kept from the answer, and a delivery to that endpoint gets a valid signature over the
  exact body sent (``requests`` writes a JSON body with ``json.dumps``). So the stateful
  phase stores fuzzed calls through the receiver, and the list then has to serve them.
"""

from __future__ import annotations

import json
import time
from collections.abc import MutableMapping
from typing import Any

import schemathesis

from callvault.laravel.dates import matches_ymd
from callvault.laravel.query import trim_string
from callvault.webhooks.signing import HEADER, sign

SECRETS: dict[str, str] = {}
"""Endpoint id -> its current secret, from the create and rotate answers."""

RECEIVER = "/api/webhooks/calls/{endpoint_id}"


def _day(query: dict[str, Any], name: str) -> str | None:
    value = query.get(name)
    if not isinstance(value, str):
        return None
    day = trim_string(value)
    return day if matches_ymd(day) else None


def _order_dates(query: dict[str, Any]) -> None:
    first, last = _day(query, "date_from"), _day(query, "date_to")
    if first is not None and last is not None and last < first:
        query["date_from"], query["date_to"] = query["date_to"], query["date_from"]


def _sign(case: Any) -> None:
    secret = SECRETS.get(str((case.path_parameters or {}).get("endpoint_id")))
    headers = case.headers
    if secret is None or not isinstance(headers, MutableMapping) or HEADER not in headers:
        return  # an unknown endpoint, or a request about a missing signature
    body = json.dumps(case.body, allow_nan=False).encode("utf-8")
    headers[HEADER] = sign(secret, int(time.time()), body)


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    if isinstance(case.query, dict):
        _order_dates(case.query)
    if case.operation.path == RECEIVER and isinstance(case.body, dict | list):
        _sign(case)


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    if case.operation.method.upper() == "POST" and response.status_code in (200, 201):
        try:
            answer = json.loads(response.content)
        except ValueError:
            return
        if isinstance(answer, dict) and "secret" in answer:
            SECRETS[answer["id"]] = answer["secret"]
