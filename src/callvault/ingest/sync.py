"""Pull every call from an upstream that speaks the calls API, resumably.

Pages are read newest first with ``per_page=100``; each page is merged (as webhooks are)
and the source's ``next_page`` saved in the same unit of work (one per page, opened by
``units``), so an interrupted sync continues after the last stored page. Calls arriving
upstream meanwhile only push older calls to later pages, which are then seen twice
(harmless), never skipped. Once a full
pass has completed, the next run is incremental: it stops at the first page that changes
nothing (``full=True`` walks every page again).

429, 5xx and transport errors are retried with exponential backoff (honouring
``Retry-After``, capped), except that an upstream never reached is not waited for (a
wrong address stays wrong). Any other answer stops the sync at once with ``SyncFailed``,
whose ``problem`` says what to check.
"""

from __future__ import annotations

import email.utils
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from callvault.db.base import utcnow
from callvault.errors import CallvaultError
from callvault.ingest.json_text import loads_strict
from callvault.ingest.records import CallRecord, RecordInvalid, parse_call
from callvault.ingest.service import CREATED, UPDATED, ingest_calls
from callvault.ingest.sources import SyncSources
from callvault.ingest.statistics import PlannerStatistics
from callvault.unit_of_work import TenantUnits

PER_PAGE = 100
MAX_ATTEMPTS = 8
MAX_DELAY = 60.0
RETRYABLE = {429, 500, 502, 503, 504}


class Problem(StrEnum):
    """What a failed sync points at."""

    ADDRESS = "address"  # not a calls API there: the URL is wrong
    ACCESS = "access"  # the upstream refused the token
    ANSWER = "answer"  # the upstream refused the request for another reason
    TRANSIENT = "transient"  # still failing after every retry; running again may pass


class SyncFailed(CallvaultError):
    status_code = 502

    def __init__(self, message: str, problem: Problem = Problem.ANSWER) -> None:
        super().__init__(message)
        self.problem = problem


@dataclass(frozen=True)
class Retry:
    """A failed attempt about to be repeated after ``delay`` seconds."""

    page: int
    reason: str
    delay: float
    attempt: int  # the number of the attempt to come
    attempts: int


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
    """Seconds to wait before the next attempt: ``Retry-After`` if readable, else backoff."""
    header = response.headers.get("retry-after", "").strip() if response is not None else ""
    if header.isdigit():
        return min(float(header), MAX_DELAY)
    if header:
        try:
            when = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            pass  # unreadable ("soon"): back off as without one
        else:
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
            return max(0.0, min(when.timestamp() - time.time(), MAX_DELAY))
    backoff: float = min(MAX_DELAY, 0.5 * 2**attempt)
    return backoff * (0.5 + random.random() / 2)


def checked_base_url(base_url: str) -> str:
    """``base_url`` without trailing slashes, if it is an http(s) URL with a host."""
    base = normalise_source(base_url)
    try:
        url = httpx.URL(base)
    except httpx.InvalidURL as error:
        message = f"the upstream URL {base_url!r} is invalid: {error}"
        raise SyncFailed(message, Problem.ADDRESS) from None
    if url.scheme not in ("http", "https") or not url.host:
        raise SyncFailed(
            f"the upstream URL must start with http:// or https:// (got {base_url!r})",
            Problem.ADDRESS,
        )
    return base


def _one_line(text: str, limit: int = 200) -> str:
    return re.sub(r"\s+", " ", text).strip()[:limit]


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
        on_retry: Callable[[Retry], None] = lambda _r: None,
    ) -> None:
        self.base_url = checked_base_url(base_url)
        self.client = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=httpx.Timeout(30.0, connect=10.0),
            transport=transport,
        )
        self.sleep = sleep
        self.max_attempts = max_attempts
        self.on_retry = on_retry
        self.reached = False  # whether the upstream ever answered

    def page(self, number: int) -> dict[str, Any]:
        params = {"per_page": PER_PAGE, "page": number}
        attempt = 1
        while True:
            response: httpx.Response | None = None
            try:
                response = self.client.get("/api/user/calls", params=params)
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                if not self.reached:
                    raise SyncFailed(
                        f"cannot connect to {self.base_url}: {error}", Problem.ADDRESS
                    ) from None
                reason = f"{type(error).__name__}: {error}"
            except httpx.TransportError as error:
                reason = f"{type(error).__name__}: {error}"
            else:
                self.reached = True
                if response.status_code not in RETRYABLE:
                    return self._calls_page(response, number)
                reason = f"upstream answered {response.status_code}"
            if attempt == self.max_attempts:
                raise SyncFailed(
                    f"page {number} failed {attempt} times (last: {reason})", Problem.TRANSIENT
                )
            delay = retry_delay(response, attempt - 1)
            self.on_retry(Retry(number, reason, delay, attempt + 1, self.max_attempts))
            self.sleep(delay)
            attempt += 1

    @staticmethod
    def _calls_page(response: httpx.Response, number: int) -> dict[str, Any]:
        """The page's JSON, or ``SyncFailed`` saying in one line what came instead."""
        if response.status_code != 200:
            answer = f"{response.status_code} {response.reason_phrase}".strip()
            if location := response.headers.get("location"):
                answer += f" (redirect to {location})"
            try:
                said = response.json().get("message")
            except (ValueError, AttributeError):
                said = None
            detail = f": {_one_line(said)}" if isinstance(said, str) and said.strip() else ""
            if response.status_code in (401, 403):
                problem = Problem.ACCESS
            elif response.status_code in (404, 405) or response.is_redirect:
                problem = Problem.ADDRESS
            else:
                problem = Problem.ANSWER
            raise SyncFailed(f"upstream answered {answer} for page {number}{detail}", problem)
        kind = response.headers.get("content-type", "").split(";")[0].strip()
        try:  # as strictly as every other way in: no NaN, no unpaired surrogates
            body = loads_strict(response.content)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
            if kind and "json" not in kind:
                reason = f"upstream answered page {number} with {kind}, not JSON"
                raise SyncFailed(reason, Problem.ADDRESS) from None
            reason = f"upstream page {number} is not valid JSON: {error}"
            raise SyncFailed(reason, Problem.ANSWER) from None
        if not isinstance(body, dict) or not isinstance(body.get("data") or [], list):
            raise SyncFailed(
                f'upstream page {number} is not a page of calls (no "data" list)',
                Problem.ADDRESS,
            )
        return body

    def close(self) -> None:
        self.client.close()


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
    statistics = PlannerStatistics()
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
            statistics.grew(tenant, result.count(CREATED))
            if finished:
                statistics.finish(tenant)
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
