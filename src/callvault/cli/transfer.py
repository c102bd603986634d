"""``callvault import``, ``export`` and ``sync``: calls in and out in bulk."""

from __future__ import annotations

import sys
from contextlib import closing
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from callvault.calls.schemas import parse_list_query
from callvault.cli.app import USER, command_of, console, counted, errors, fail
from callvault.ingest.files import FORMATS, read_lines, write_csv, write_jsonl
from callvault.ingest.sync import Problem, Retry, SyncFailed, UpstreamClient, sync_calls
from callvault.ingest.transfer import ImportReport, export_items, import_calls
from callvault.laravel.query import PhpArray


def register(app: typer.Typer) -> None:
    """Add ``import``, ``export`` and ``sync`` to ``app``."""
    app.command("import")(import_)
    app.command("export")(export)
    app.command("sync")(sync)


def _format(file_format: str | None, path: Path | None) -> str:
    if file_format is None and path is not None and not path.suffix:
        fail(
            f"cannot tell the format from {path}: end the name in .jsonl or .csv, "
            "or add --format jsonl|csv",
            code=2,
        )
    chosen = file_format or (path.suffix.lstrip(".").lower() if path else "jsonl")
    if chosen not in FORMATS:
        fail(f"unknown format {chosen!r} (jsonl or csv)", code=2)
    return chosen


def import_(
    context: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL or CSV file.")],
    user: str = USER,
    file_format: str | None = typer.Option(
        None, "--format", help="jsonl or csv (default: from the file name)."
    ),
    strict: bool = typer.Option(False, help="Stop at the first bad line; store nothing then."),
    batch_size: int = typer.Option(5000, min=1, max=50_000, help="Calls per transaction."),
) -> None:
    """Import call items (the list shape, plus assistant_id/campaign_id); idempotent."""
    command = command_of(context)
    chosen = _format(file_format, file)
    size = file.stat().st_size
    progress = Progress(
        TextColumn("[bold]import[/bold] {task.fields[calls]} calls"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
    )

    def bad_line(number: int, message: str) -> None:
        errors.print(f"line {number}: {message}", markup=False, highlight=False)

    units = command.tenant_units(user)
    with (
        command.guard("Nothing was imported (--strict)." if strict else None),
        file.open("rb") as stream,
        progress,
    ):
        task = progress.add_task("import", total=size, calls=0)

        def advanced(report: ImportReport) -> None:
            progress.update(task, completed=stream.tell(), calls=report.lines - report.bad)

        report = import_calls(
            units,
            read_lines(stream, chosen),
            command.settings.timezone,
            strict=strict,
            batch_size=batch_size,
            on_error=bad_line,
            on_batch=advanced,
        )
    console.print(
        f"Read {counted(report.lines, 'line')}: {report.created} created, "
        f"{report.updated} updated, {report.unchanged} unchanged, {report.bad} bad."
    )
    if report.bad:
        raise typer.Exit(1)


def export(
    context: typer.Context,
    user: str = USER,
    file_format: str | None = typer.Option(None, "--format", help="jsonl (default) or csv."),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout).")
    ] = None,
    status: str | None = typer.Option(None, help="Filter as the list endpoint does."),
    type_: str | None = typer.Option(None, "--type"),
    phone_number: str | None = typer.Option(None),
    assistant_id: str | None = typer.Option(None),
    campaign_id: str | None = typer.Option(None),
    date_from: str | None = typer.Option(None, help="YYYY-MM-DD, display timezone."),
    date_to: str | None = typer.Option(None),
) -> None:
    """Stream a user's calls, newest first, as JSONL or CSV (the list endpoint's filters)."""
    command = command_of(context)
    settings = command.settings
    if output is not None and output.is_dir():
        fail(
            f"{output} is a directory: name a file in it, e.g. -o {output / 'calls.jsonl'}", code=2
        )
    chosen = _format(file_format, output)
    raw = {
        "status": status,
        "type": type_,
        "phone_number": phone_number,
        "assistant_id": assistant_id,
        "campaign_id": campaign_id,
        "date_from": date_from,
        "date_to": date_to,
    }
    query: PhpArray = {k: v.strip() for k, v in raw.items() if v is not None and v.strip()}
    with command.guard():
        filters = parse_list_query(query, settings.timezone).filters
    with command.reading(user) as tenant:
        zone = None if settings.display_timezone == "UTC" else settings.timezone
        items = export_items(tenant, filters, zone)
        writer = write_csv if chosen == "csv" else write_jsonl
        if output is None:
            count = writer(items, sys.stdout)
            sys.stdout.flush()
        else:
            with output.open("w", encoding="utf-8", newline="") as out:
                count = writer(items, out)
    errors.print(f"Exported {counted(count, 'call')}.")


def sync(
    context: typer.Context,
    from_: str = typer.Option(..., "--from", help="Base URL of the upstream API."),
    token: str = typer.Option(
        ..., envvar="CALLVAULT_SYNC_TOKEN", help="Bearer token for the upstream."
    ),
    user: str = USER,
    full: bool = typer.Option(False, help="Walk every page even after a completed sync."),
    source_timezone: str = typer.Option("UTC", help="Timezone the upstream prints its dates in."),
) -> None:
    """Pull every call from an upstream calls API (resumable; retries 429/5xx)."""
    command = command_of(context)
    try:
        zone = ZoneInfo(source_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"unknown timezone {source_timezone!r} (an IANA name such as Europe/Sofia)", code=2)
    progress = Progress(
        TextColumn("[bold]sync[/bold] page {task.completed}/{task.total}"),
        BarColumn(),
        TextColumn("{task.fields[calls]} calls"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
    )

    def retrying(retry: Retry) -> None:
        errors.print(
            f"page {retry.page}: {retry.reason}; retrying in {round(retry.delay, 1):g} s "
            f"(attempt {retry.attempt} of {retry.attempts})",
            markup=False,
            highlight=False,
        )

    with command.guard():
        try:
            with closing(UpstreamClient(from_, token, on_retry=retrying)) as upstream:
                units = command.tenant_units(user)
                with progress:
                    task = progress.add_task("sync", total=None, calls=0)
                    report = sync_calls(
                        units,
                        upstream,
                        from_,
                        zone,
                        full=full,
                        on_page=lambda r: progress.update(
                            task, advance=1, total=r.last_page, calls=r.calls
                        ),
                    )
        except SyncFailed as failed:
            fail(failed.message, hint=SYNC_HINTS.get(failed.problem))
    for skipped in report.skipped[:20]:
        errors.print(f"skipped {skipped}", markup=False)
    console.print(
        f"Synced {counted(report.pages, 'page')}, {counted(report.calls, 'call')}: "
        f"{report.created} created, {report.updated} updated, "
        f"{len(report.skipped)} skipped."
    )


SYNC_HINTS = {
    Problem.ADDRESS: "Check --from: the base URL of a server speaking the calls API "
    "(https://host, without /api/user/calls).",
    Problem.ACCESS: "Check --token (or CALLVAULT_SYNC_TOKEN): a token of the upstream's user.",
    Problem.TRANSIENT: "Run the same command again to resume after the last stored page.",
}
