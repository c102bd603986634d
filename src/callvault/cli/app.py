"""The ``callvault`` Typer app, its consoles, and what one command runs with.

Each command gets one ``Command`` (``typer.Context.obj``): its settings and database, each
built once, the units of work it opens, and the one error printer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import NoReturn

import typer
from rich.console import Console
from rich.measure import Measurement
from rich.table import Column, Table
from sqlalchemy.engine import make_url

from callvault import __version__
from callvault.config import DEFAULT_DATABASE_URL, Settings
from callvault.db.database import Database, database_of, sqlite_file
from callvault.errors import CallvaultError
from callvault.migrations import Upgrade, upgrade_database
from callvault.unit_of_work import (
    Tenant,
    TenantUnits,
    UnitOfWork,
    reading,
    tenant_units,
    writing,
)
from callvault.users import service as users

app = typer.Typer(
    help="callvault: the self-hosted call log for AI voice assistants.", no_args_is_help=True
)
console = Console()
errors = Console(stderr=True)


def report_error(message: str, hint: str | None = None) -> None:
    """The one error printer: ``error: <message>`` on one line, then the hint if any."""
    errors.print("[red]error:[/red] ", end="")
    errors.print(message, markup=False, highlight=False, soft_wrap=True)
    if hint:
        errors.print(hint, markup=False, highlight=False, soft_wrap=True)


def whole(header: str) -> Column:
    """A column of ids or keys: never wrapped, never cut (``print_table`` makes room)."""
    return Column(header, no_wrap=True)


def moment(header: str) -> Column:
    """A column of ``YYYY-MM-DD HH:MM:SS``: wraps between date and time, never inside."""
    return Column(header, min_width=len("YYYY-MM-DD"))


def print_table(table: Table) -> None:
    """Print ``table`` with every ``whole`` value whole: one line a row into a pipe; on a
    terminal at its width, or wider when that is too narrow (the terminal folds the lines
    then, but an id stays one string to copy)."""
    room = Measurement.get(console, console.options.update_width(10_000), table)
    width = max(console.width, room.minimum) if console.is_terminal else room.maximum
    if width == console.width:
        console.print(table)
        return
    narrow = console.width
    console.width = width
    try:
        console.print(table, crop=False)
    finally:
        console.width = narrow


def counted(count: int, noun: str) -> str:
    """``1 page``, ``3 pages``: a count with its noun in the right number."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def fail(message: str, *, hint: str | None = None, code: int = 1) -> NoReturn:
    """End the command with an error (one line, and a hint)."""
    report_error(message, hint)
    raise typer.Exit(code)


def describe_database(settings: Settings) -> str:
    """Where the database is, as a user can find it: a SQLite file's absolute path (and
    whether it exists), or the URL without its password."""
    file = sqlite_file(settings.database_url)
    if file is None:
        return make_url(settings.database_url).render_as_string(hide_password=True)
    notes = ["SQLite"]
    if settings.database_url == DEFAULT_DATABASE_URL:
        notes[0] += ", the default: ./callvault.db where callvault runs"
    if not file.exists():
        notes.append("does not exist yet")
    return f"{file} ({'; '.join(notes)})"


def _said_upgrade(where: str, upgrade: Upgrade, new_file: bool) -> str:
    before, after = upgrade
    if before is None and new_file:
        return f"Created {where} at schema revision {after}."
    if before is None:
        return f"Created the schema (revision {after}) in {where}."
    if before != after:
        return f"Upgraded {where} from schema revision {before} to {after}."
    return f"{where} is already up to date (schema revision {after})."


class Command:
    """One command's settings and database (built once, on first use) and its units."""

    @cached_property
    def settings(self) -> Settings:
        return Settings()

    def require_database(self) -> None:
        """End the command when its SQLite file does not exist: opening it would create an
        empty database wherever the command happens to run."""
        file = sqlite_file(self.settings.database_url)
        if file is not None and not file.exists():
            fail(
                f"no database at {file}",
                hint="Create it with `callvault migrate` (or ./run.sh, with demo data), or "
                "set CALLVAULT_DATABASE_URL to the one you meant (the default, "
                f"{DEFAULT_DATABASE_URL}, is relative to the current directory).",
            )

    def migrate(self) -> None:
        """Create or upgrade the schema (and a SQLite file), and say where and what."""
        file = sqlite_file(self.settings.database_url)
        new_file = file is not None and not file.exists()
        if file is not None and not file.parent.is_dir():
            fail(f"cannot create {file}: there is no directory {file.parent}")
        upgrade = upgrade_database(self.settings.database_url)
        said = _said_upgrade(describe_database(self.settings), upgrade, new_file)
        console.print(said, markup=False, highlight=False, soft_wrap=True)

    @cached_property
    def database(self) -> Database:
        self.require_database()
        return database_of(self.settings, pool_size=2)

    def close(self) -> None:
        if "database" in self.__dict__:
            self.database.dispose()

    @contextmanager
    def guard(self, hint: str | None = None) -> Iterator[None]:
        """Domain errors end the command with their message (and ``hint``)."""
        try:
            yield
        except CallvaultError as error:
            fail(error.message, hint=hint)

    @contextmanager
    def unit(self) -> Iterator[UnitOfWork]:
        """One committed unit of work for the command."""
        with self.guard(), writing(self.database) as unit:
            yield unit

    @contextmanager
    def read_unit(self) -> Iterator[UnitOfWork]:
        """A read unit of work across users (for the operator's views)."""
        with self.guard(), reading(self.database) as unit:
            yield unit

    @contextmanager
    def tenant(self, email: str) -> Iterator[Tenant]:
        """One committed unit of work for the user with ``email``."""
        with self.unit() as unit:
            yield unit.tenant(users.get_user_by_email(unit, email).id)

    @contextmanager
    def reading(self, email: str) -> Iterator[Tenant]:
        """A read unit of work (one snapshot where asked) for the user with ``email``."""
        with self.guard(), reading(self.database) as unit:
            yield unit.tenant(users.get_user_by_email(unit, email).id)

    def tenant_units(self, email: str) -> TenantUnits:
        """Units of work for the user with ``email``, for services that commit in steps."""
        with self.unit() as unit:
            user_id = users.get_user_by_email(unit, email).id
        return tenant_units(self.database, user_id)


def _show_version(shown: bool) -> None:
    if shown:
        console.print(f"callvault {__version__}", highlight=False)
        database = describe_database(Settings())
        console.print(f"database: {database}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit()


@app.callback()
def _command(
    context: typer.Context,
    version: bool = typer.Option(
        False,
        "--version",
        is_eager=True,
        callback=_show_version,
        help="Show the version and the database commands use (opening nothing), then exit.",
    ),
) -> None:
    command = Command()
    context.obj = command
    context.call_on_close(command.close)


def command_of(context: typer.Context) -> Command:
    command: Command = context.obj
    return command


USER = typer.Option(..., "--user", help="The owner's email.")
