"""``callvault import``, ``export`` and ``sync``: calls in and out in bulk."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

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
from callvault.cli.main import app, console, errors
from callvault.config import Settings
from callvault.db.database import Database
from callvault.errors import CallvaultError
from callvault.ingest.files import FORMATS, read_lines, write_csv, write_jsonl
from callvault.ingest.sync import UpstreamClient, sync_calls
from callvault.ingest.transfer import ImportReport, export_items, import_calls
from callvault.laravel.query import PhpArray
from callvault.users import service as users

USER = typer.Option(..., "--user", help="The owner's email.")


def _user_id(database: Database, email: str) -> int:
    with database.read() as session:
        return users.get_user_by_email(session, email).id


def _format(file_format: str | None, path: Path | None) -> str:
    chosen = file_format or (path.suffix.lstrip(".").lower() if path else "jsonl")
    if chosen not in FORMATS:
        errors.print(f"[red]error:[/red] unknown format {chosen!r} (jsonl or csv)")
        raise typer.Exit(2)
    return chosen


def _run(settings: Settings) -> Database:
    return Database(
        settings.database_url,
        pool_size=2,
        prepared_statements=settings.db_prepared_statements,
    )


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL or CSV file.")],
    user: str = USER,
    file_format: str | None = typer.Option(
        None, "--format", help="jsonl or csv (default: from the file name)."
    ),
    strict: bool = typer.Option(False, help="Stop at the first bad line; store nothing then."),
    batch_size: int = typer.Option(5000, min=1, max=50_000, help="Calls per transaction."),
) -> None:
    """Import call items (the list shape, plus assistant_id/campaign_id); idempotent."""
    settings = Settings()
    chosen = _format(file_format, file)
    database = _run(settings)
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

    try:
        with file.open("rb") as stream, progress:
            task = progress.add_task("import", total=size, calls=0)

            def advanced(report: ImportReport) -> None:
                progress.update(task, completed=stream.tell(), calls=report.lines - report.bad)

            owner = _user_id(database, user)
            report = import_calls(
                database,
                owner,
                read_lines(stream, chosen),
                settings.timezone,
                strict=strict,
                batch_size=batch_size,
                on_error=bad_line,
                on_batch=advanced,
            )
    except CallvaultError as error:
        errors.print(f"[red]error:[/red] {error.message}")
        if strict:
            errors.print("Nothing was imported (--strict).")
        raise typer.Exit(1) from error
    finally:
        database.dispose()
    console.print(
        f"Read {report.lines} lines: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.bad} bad."
    )
    if report.bad:
        raise typer.Exit(1)


@app.command("export")
def export(
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
    settings = Settings()
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
    database = _run(settings)
    try:
        filters = parse_list_query(query, settings.timezone).filters
        owner = _user_id(database, user)
        zone = None if settings.display_timezone == "UTC" else settings.timezone
        items = export_items(database, owner, filters, zone)
        write = write_csv if chosen == "csv" else write_jsonl
        if output is None:
            count = write(items, sys.stdout)
            sys.stdout.flush()
        else:
            with output.open("w", encoding="utf-8", newline="") as out:
                count = write(items, out)
    except CallvaultError as error:
        errors.print(f"[red]error:[/red] {error.message}")
        raise typer.Exit(1) from error
    finally:
        database.dispose()
    errors.print(f"Exported {count} calls.")


@app.command("sync")
def sync(
    from_: str = typer.Option(..., "--from", help="Base URL of the upstream API."),
    token: str = typer.Option(
        ..., envvar="CALLVAULT_SYNC_TOKEN", help="Bearer token for the upstream."
    ),
    user: str = USER,
    full: bool = typer.Option(False, help="Walk every page even after a completed sync."),
    source_timezone: str = typer.Option("UTC", help="Timezone the upstream prints its dates in."),
) -> None:
    """Pull every call from an upstream calls API (resumable; retries 429/5xx)."""
    from zoneinfo import ZoneInfo

    settings = Settings()
    database = _run(settings)
    upstream = UpstreamClient(from_, token)
    progress = Progress(
        TextColumn("[bold]sync[/bold] page {task.completed}/{task.total}"),
        BarColumn(),
        TextColumn("{task.fields[calls]} calls"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
    )
    try:
        owner = _user_id(database, user)
        with progress:
            task = progress.add_task("sync", total=None, calls=0)
            report = sync_calls(
                database,
                owner,
                upstream,
                from_,
                ZoneInfo(source_timezone),
                full=full,
                on_page=lambda r: progress.update(
                    task, advance=1, total=r.last_page, calls=r.calls
                ),
            )
    except CallvaultError as error:
        errors.print(f"[red]error:[/red] {error.message}")
        errors.print("Run the same command again to resume after the last stored page.")
        raise typer.Exit(1) from error
    finally:
        upstream.close()
        database.dispose()
    for skipped in report.skipped[:20]:
        errors.print(f"skipped {skipped}", markup=False)
    console.print(
        f"Synced {report.pages} pages, {report.calls} calls: {report.created} created, "
        f"{report.updated} updated, {len(report.skipped)} skipped."
    )
