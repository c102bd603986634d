"""``callvault migrate``, ``serve`` and ``status``: the database and the server."""

from __future__ import annotations

import typer

from callvault import __version__
from callvault.calls.service import count_calls
from callvault.cli.app import command_of, console, describe_database, fail
from callvault.cli.ports import port_taken
from callvault.migrations import known_revisions, schema_revision
from callvault.users.service import list_users

NAMED_USERS = 5
"""``status`` names this many users (by email), then counts the rest."""


def register(app: typer.Typer) -> None:
    """Add ``migrate``, ``serve`` and ``status`` to ``app``."""
    app.command()(migrate)
    app.command()(serve)
    app.command()(status)


def migrate(context: typer.Context) -> None:
    """Create or upgrade the database schema (and say which database, and what was done)."""
    command_of(context).migrate()


def serve(
    context: typer.Context,
    host: str | None = typer.Option(None, help="Bind address (CALLVAULT_HOST)."),
    port: int | None = typer.Option(None, help="Port (CALLVAULT_PORT)."),
    workers: int | None = typer.Option(None, help="Worker processes (CALLVAULT_WORKERS)."),
    migrate_first: bool = typer.Option(
        True, "--migrate/--no-migrate", help="Upgrade the schema first."
    ),
    check_port: bool = typer.Option(
        False, "--check-port", help="Only check that the port is free, then exit."
    ),
) -> None:
    """Run the HTTP API with uvicorn."""
    import uvicorn

    command = command_of(context)
    settings = command.settings
    host, port = host or settings.host, port or settings.port
    if taken := port_taken(host, port):
        other = port + 1
        hint = f"Stop it, or use another port: --port {other}, or CALLVAULT_PORT={other} ./run.sh."
        if "callvault" in taken:
            hint = f"callvault is running there already (http://{host}:{port}/docs). " + hint
        fail(taken, hint=hint)
    if check_port:
        console.print(f"Port {port} on {host} is free.", highlight=False)
        return
    if migrate_first:
        command.migrate()
    else:
        command.require_database()
    uvicorn.run(
        "callvault.api.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers or settings.workers,
        proxy_headers=False,
        server_header=False,
        log_level="info",
        access_log=settings.access_log,
    )


def _line(label: str, value: str) -> None:
    console.print(f"{label:<10} {value}", markup=False, highlight=False, soft_wrap=True)


def status(context: typer.Context) -> None:
    """Show the version, the database in use, its schema revision, its users and calls.

    Creates nothing: a SQLite file that does not exist is said to be missing.
    """
    command = command_of(context)
    where = describe_database(command.settings)  # a bad setting ends it before any line
    _line("callvault", __version__)
    _line("database", where)
    command.require_database()
    known = known_revisions()
    with command.read_unit() as unit:
        revision = schema_revision(unit.connection)
        if revision is None:
            _line("schema", "none: run `callvault migrate`")
            raise typer.Exit(1)
        if revision not in known:
            _line("schema", f"{revision}, unknown to callvault {__version__} (a newer one's?)")
            raise typer.Exit(1)
        if revision != known[0]:
            _line(
                "schema",
                f"{revision}, older than this callvault's {known[0]}: run `callvault migrate`",
            )
            raise typer.Exit(1)
        _line("schema", f"{revision}, up to date")
        users = list_users(unit)
        calls = sum(count_calls(unit.tenant(user.id)) for user in users)
    named = ", ".join(user.email for user in users[:NAMED_USERS])
    more = f" and {len(users) - NAMED_USERS} more" if len(users) > NAMED_USERS else ""
    _line("users", f"{len(users)}: {named}{more}" if users else "0")
    _line("calls", str(calls))
