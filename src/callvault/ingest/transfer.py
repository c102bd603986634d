"""``import`` and ``export``: files of call items in and out, in batches, constant memory.

An import merges exactly like webhooks do (``ingest.merge``), so re-importing a file
creates and changes nothing. The file is parsed one batch ahead in a second thread while
the database stores the previous batch. Without ``strict`` each batch is its own unit of
work (opened by ``units``) and bad lines are reported and skipped; with ``strict`` the whole
file is one unit of work and the first bad line rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from callvault.calls.filters import CallFilters
from callvault.calls.repository import CallRepository
from callvault.calls.schemas import call_item
from callvault.errors import CallvaultError
from callvault.ingest.files import Line
from callvault.ingest.read_ahead import read_ahead
from callvault.ingest.records import CallRecord, RecordInvalid, parse_call
from callvault.ingest.service import CREATED, UNCHANGED, UPDATED, ingest_calls
from callvault.ingest.statistics import PlannerStatistics
from callvault.unit_of_work import Tenant, TenantUnits

BATCH = 5000
KEPT_ERRORS = 1000


class ImportAborted(CallvaultError):
    """A ``--strict`` import met a bad line; nothing from the file was stored."""

    status_code = 422


@dataclass
class ImportReport:
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def describe(invalid: RecordInvalid) -> str:
    return " ".join(message for messages in invalid.errors.values() for message in messages)


def _batches(
    lines: Iterable[Line],
    zone: ZoneInfo,
    report: ImportReport,
    on_error: Callable[[int, str], None],
    strict: bool,
    size: int,
) -> Iterator[list[CallRecord]]:
    batch: list[CallRecord] = []
    for line in lines:
        report.lines += 1
        message = line.error
        if message is None:
            try:
                batch.append(parse_call(line.data, zone))
            except RecordInvalid as invalid:
                message = describe(invalid)
        if message is not None:
            report.bad += 1
            if len(report.errors) < KEPT_ERRORS:
                report.errors.append((line.number, message))
            on_error(line.number, message)
            if strict:
                raise ImportAborted(f"line {line.number}: {message}")
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_calls(
    units: TenantUnits,
    lines: Iterable[Line],
    zone: ZoneInfo,
    *,
    strict: bool = False,
    batch_size: int = BATCH,
    on_error: Callable[[int, str], None] = lambda _n, _m: None,
    on_batch: Callable[[ImportReport], None] = lambda _r: None,
) -> ImportReport:
    report = ImportReport()
    statistics = PlannerStatistics()

    def store(tenant: Tenant, batch: list[CallRecord]) -> None:
        result = ingest_calls(tenant, batch)
        statistics.grew(tenant, result.count(CREATED))
        report.created += result.count(CREATED)
        report.updated += result.count(UPDATED)
        report.unchanged += result.count(UNCHANGED)
        on_batch(report)

    batches = read_ahead(_batches(lines, zone, report, on_error, strict, batch_size))
    if strict:
        with units() as tenant:
            for batch in batches:
                store(tenant, batch)
            statistics.finish(tenant)
    else:
        for batch in batches:
            with units() as tenant:
                store(tenant, batch)
        with units() as tenant:
            statistics.finish(tenant)
    on_batch(report)
    return report


def export_items(
    tenant: Tenant, filters: CallFilters, zone: ZoneInfo | None
) -> Iterator[dict[str, Any]]:
    """The list endpoint's items (plus ``assistant_id``/``campaign_id``), one read snapshot."""
    with tenant.snapshot():
        for row in CallRepository.of(tenant).newest_first(filters):
            item = call_item(row, zone)
            item["assistant_id"] = row.assistant_id
            item["campaign_id"] = row.campaign_id
            yield item
