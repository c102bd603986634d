"""The schemathesis run's own parts: its hooks, and the README's command for it."""

from __future__ import annotations

import json
import re
import shlex
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from callvault.webhooks.signing import HEADER, verify
from tests.contract import hooks, live

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def test_two_valid_days_are_put_in_order_and_nothing_else_is_touched() -> None:
    query: dict[str, Any] = {"date_from": " 2025-08-31", "date_to": "2025-08-01\t"}
    hooks._order_dates(query)
    assert query == {"date_from": "2025-08-01\t", "date_to": " 2025-08-31"}
    for untouched in (
        {"date_from": "2025-08-31", "date_to": "2025-02-30"},
        {"date_from": "2025-08-01", "date_to": "2025-08-31"},
        {"date_to": "2025-08-01"},
    ):
        copy = dict(untouched)
        hooks._order_dates(copy)
        assert copy == untouched


def case(endpoint_id: str, headers: dict[str, str], body: Any) -> Any:
    return SimpleNamespace(
        path_parameters={"endpoint_id": endpoint_id},
        headers=headers,
        body=body,
        query=None,
        operation=SimpleNamespace(path=hooks.RECEIVER, method="POST"),
    )


def test_deliveries_to_a_created_endpoint_are_signed_over_the_body_sent() -> None:
    created = SimpleNamespace(status_code=201, content=b'{"id": "whe_1", "secret": "whsec_s"}')
    hooks.after_call(None, case("", {}, None), created)
    body = {"event": "call.started", "call": {"id": 1, "type": "web", "status": "ringing"}}
    signed = case("whe_1", {HEADER: "t=0,v1=00"}, body)
    hooks.before_call(None, signed, {})
    sent = json.dumps(body, allow_nan=False).encode()  # what requests sends
    assert verify(signed.headers[HEADER], sent, ["whsec_s"], time.time())
    unknown = case("whe_2", {HEADER: "t=0,v1=00"}, body)
    hooks.before_call(None, unknown, {})
    missing = case("whe_1", {}, body)
    hooks.before_call(None, missing, {})
    assert (unknown.headers, missing.headers) == ({HEADER: "t=0,v1=00"}, {})


def test_the_readmes_command_is_the_runners() -> None:
    [line] = [line for line in README.splitlines() if "-m tests.contract.live" in line]
    arguments = live.parser().parse_args(shlex.split(line)[3:])
    assert (arguments.backend, arguments.max_examples, arguments.seed) == ("sqlite", 20, 1)
    makefile = (Path(__file__).parents[2] / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^contract:.*\n\t.*-m tests\.contract\.live", makefile, re.M)
