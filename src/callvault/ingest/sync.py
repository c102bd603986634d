"""Pull every call from an upstream that speaks the calls API, resumably.

Pages are read newest first with ``per_page=100``; each page is merged (as webhooks are)
and the source's ``next_page`` saved in the same unit of work (one per page, opened by
``units``), so an interrupted sync continues after the last stored page. Calls arriving
upstream meanwhile only push older calls to later pages, which are then seen twice
(harmless), never skipped. Once a full
pass has completed, the next run is incremental: it stops at the first page that changes
nothing (``full=True`` walks every page again).

429, 5xx and transport errors are retried with exponential backoff (honouring
``Retry-After``, capped); other answers stop the sync with ``SyncFailed``.
"""

from __future__ import annotations

import email.utils
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from callvault.db.base import utcnow
from callvault.errors import CallvaultError
from callvault.ingest.json_text import loads_strict
from callvault.ingest.records import CallRecord, RecordInvalid, parse_call
from callvault.ingest.service import CREATED, UPDATED, ingest_calls
from callvault.ingest.sources import SyncSources
from callvault.unit_of_work import TenantUnits

PER_PAGE = 100
MAX_ATTEMPTS = 8
MAX_DELAY = 60.0
RETRYABLE = {429, 500, 502, 503, 504}


class SyncFailed(CallvaultError):
    status_code = 502


@dataclass
class SyncReport:
    pages: int = 0
    calls: int = 0
    created: int = 0
    updated: int = 0
    skipped: list[str] = field(default_factory=list)
    complete: bool = False
    last_page: int | None = None


def retry_delay(response: httpx.Response | None, attempt: int) -> float:
    """Seconds to wait before the next attempt: ``Retry-After`` if given, else backoff."""
    header = response.headers.get("retry-after") if response is not None else None
    if header:
        if header.strip().isdigit():
            return min(float(header), MAX_DELAY)
        when = email.utils.parsedate_to_datetime(header) if header else None
        if when is not None:
            return max(0.0, min(when.timestamp() - time.time(), MAX_DELAY))
    backoff: float = min(MAX_DELAY, 0.5 * 2**attempt)
    return backoff * (0.5 + random.random() / 2)


class UpstreamClient:
    """``GET {base}/api/user/calls?per_page=100&page=N`` with retries."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.client = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=httpx.Timeout(30.0),
            transport=transport,
        )
        self.sleep = sleep
        self.max_attempts = max_attempts

    def page(self, number: int) -> dict[str, Any]:
        params = {"per_page": PER_PAGE, "page": number}
        for attempt in range(self.max_attempts):
            response: httpx.Response | None = None
            try:
                response = self.client.get("/api/user/calls", params=params)
            except httpx.TransportError as error:
                reason = f"{type(error).__name__}: {error}"
            else:
                if response.status_code == 200:
                    return calls_page(response.content, number)
                if response.status_code not in RETRYABLE:
                    raise SyncFailed(
                        f"upstream answered {response.status_code} for page {number}: "
                        f"{response.text[:200]}"
                    )
                reason = f"HTTP {response.status_code}"
            if attempt + 1 < self.max_attempts:
                self.sleep(retry_delay(response, attempt))
        raise SyncFailed(f"page {number} failed {self.max_attempts} times (last: {reason})")

    def close(self) -> None:
        self.client.close()


def calls_page(content: bytes, number: int) -> dict[str, Any]:
    """An upstream page, parsed by the rules every way in uses (``loads_strict``: no NaN,
    no unpaired surrogates); ``SyncFailed`` when it is not a page of calls."""
    try:
        body = loads_strict(content)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise SyncFailed(f"upstream page {number} is not valid JSON: {error}") from None
    if not isinstance(body, dict) or not isinstance(body.get("data") or [], list):
        raise SyncFailed(f"upstream page {number} is not a page of calls")
    return body


def normalise_source(base_url: str) -> str:
    return base_url.strip().rstrip("/")


def sync_calls(
    units: TenantUnits,
    upstream: UpstreamClient,
    source: str,
    zone: ZoneInfo,
    *,
    full: bool = False,
    on_page: Callable[[SyncReport], None] = lambda _r: None,
) -> SyncReport:
    source = normalise_source(source)
    with units() as tenant:
        state = SyncSources.of(tenant).get_or_add(source)
        incremental = state.complete and not full
        page = 1 if full else state.next_page
    report = SyncReport()
    while True:
        body = upstream.page(page)
        items = body.get("data") or []
        last_page = body.get("last_page")
        report.last_page = last_page if isinstance(last_page, int) else None
        records: list[CallRecord] = []
        for item in items:
            try:
                records.append(parse_call(item, zone))
            except RecordInvalid as invalid:
                report.skipped.append(f"page {page}: {invalid}")
        finished = not items or report.last_page is None or page >= report.last_page
        with units() as tenant:
            result = ingest_calls(tenant, records)
            changed = result.count(CREATED) + result.count(UPDATED)
            stop = finished or (incremental and changed == 0)
            state = SyncSources.of(tenant).get_or_add(source)
            state.calls_seen += len(records)
            state.updated_at = utcnow()
            if stop:
                state.next_page, state.complete, state.completed_at = 1, True, utcnow()
            else:
                state.next_page = page + 1
        report.pages += 1
        report.calls += len(records)
        report.created += result.count(CREATED)
        report.updated += result.count(UPDATED)
        on_page(report)
        if stop:
            report.complete = True
            return report
        page += 1
