"""``callvault``: serve, migrate, users, tokens and demo data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from callvault.config import Settings
from callvault.db.base import utcnow
from callvault.db.database import Database
from callvault.errors import CallvaultError, NotFound
from callvault.migrations import upgrade_database
from callvault.tokens import service as tokens
from callvault.users import service as users

app = typer.Typer(
    help="callvault: the self-hosted call log for AI voice assistants.", no_args_is_help=True
)
users_app = typer.Typer(help="Manage users (tenants).", no_args_is_help=True)
tokens_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")

console = Console()
errors = Console(stderr=True)


@contextmanager
def unit_of_work(settings: Settings) -> Iterator[Session]:
    """One committed transaction for a command; domain errors exit with their message."""
    database = Database(
        settings.database_url,
        pool_size=2,
        prepared_statements=settings.db_prepared_statements,
    )
    try:
        with database.write() as session:
            yield session
    except CallvaultError as error:
        errors.print(f"[red]error:[/red] {error.message}")
        raise typer.Exit(1) from error
    finally:
        database.dispose()


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    settings = Settings()
    upgrade_database(settings.database_url)
    console.print(f"Database is up to date: {settings.database_url}")


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Bind address (CALLVAULT_HOST)."),
    port: int | None = typer.Option(None, help="Port (CALLVAULT_PORT)."),
    workers: int | None = typer.Option(None, help="Worker processes (CALLVAULT_WORKERS)."),
    migrate_first: bool = typer.Option(
        True, "--migrate/--no-migrate", help="Upgrade the schema first."
    ),
) -> None:
    """Run the HTTP API with uvicorn."""
    import uvicorn

    settings = Settings()
    if migrate_first:
        upgrade_database(settings.database_url)
    uvicorn.run(
        "callvault.api.app:app_from_environment",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        proxy_headers=False,
        server_header=False,
        log_level="info",
        access_log=settings.access_log,
    )


@users_app.command("create")
def users_create(
    email: str = typer.Option(..., help="Login email, unique."),
    name: str = typer.Option("", help="Display name (defaults to the email)."),
) -> None:
    """Create a user."""
    with unit_of_work(Settings()) as session:
        user = users.create_user(session, name=name, email=email)
        console.print(f"Created user {user.id} <{user.email}>")


@tokens_app.command("create")
def tokens_create(
    user: str = typer.Option(..., "--user", help="The owner's email."),
    name: str = typer.Option("cli", help="A label for the token."),
    expires_in_days: int | None = typer.Option(None, help="Expire after this many days."),
) -> None:
    """Issue a token; it is printed once and cannot be shown again."""
    expires_at = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    with unit_of_work(Settings()) as session:
        owner = users.get_user_by_email(session, user)
        issued = tokens.issue_token(session, owner, name=name, expires_at=expires_at)
    console.print("Token (shown once, keep it secret):")
    print(issued.plain_text)


@tokens_app.command("list")
def tokens_list(user: str = typer.Option(..., "--user", help="The owner's email.")) -> None:
    """List a user's tokens (never their secrets)."""
    with unit_of_work(Settings()) as session:
        owner = users.get_user_by_email(session, user)
        table = Table("id", "name", "created (UTC)", "last used (UTC)", "expires (UTC)")
        for token in tokens.list_tokens(session, owner):
            table.add_row(
                str(token.id),
                token.name,
                str(token.created_at),
                str(token.last_used_at or "never"),
                str(token.expires_at or "never"),
            )
    console.print(table)


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: int = typer.Argument(..., help="The token's id (the part before '|')."),
    user: str = typer.Option(..., "--user", help="The owner's email."),
) -> None:
    """Revoke a token at once."""
    with unit_of_work(Settings()) as session:
        owner = users.get_user_by_email(session, user)
        tokens.revoke_token(session, owner, token_id)
    console.print(f"Revoked token {token_id}.")


@app.command()
def demo(
    email: str = typer.Option("demo@callvault.local", help="The demo user's email."),
    calls: int = typer.Option(3000, min=1, help="How many calls to generate."),
    seed: int = typer.Option(42, help="Random seed (same seed, same calls)."),
) -> None:
    """Fill the database with realistic demo data and print a fresh token."""
    from callvault.demo.generator import fill_demo_data

    settings = Settings()
    upgrade_database(settings.database_url)
    with unit_of_work(settings) as session:
        try:
            owner = users.get_user_by_email(session, email)
            console.print(f"Demo user {email} exists; keeping its calls.")
        except NotFound:
            owner = users.create_user(session, name="Demo Operator", email=email)
            summary = fill_demo_data(session, owner.id, calls=calls, seed=seed)
            console.print(
                f"Created {summary.calls} calls, {summary.assistants} assistants and "
                f"{summary.campaigns} campaigns for {email}."
            )
        issued = tokens.issue_token(session, owner, name="demo")
    base = f"http://{settings.host}:{settings.port}"
    console.print(f"\nAPI:   {base}/api/user/calls\nDocs:  {base}/docs\nToken: {issued.plain_text}")
    header = f"Authorization: Bearer {issued.plain_text}"
    console.print(f"Try:   curl -H '{header}' '{base}/api/user/calls?per_page=2'\n", soft_wrap=True)


# Command groups in their own modules register themselves on ``app``.
from callvault.cli import transfer, webhooks  # noqa: E402, F401


def _missing_schema(error: DBAPIError) -> bool:
    text = str(error.orig)
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def main() -> None:
    """The console script: database failures end in one clear line, not a traceback."""
    try:
        app()
    except DBAPIError as error:
        if _missing_schema(error):
            errors.print(
                "[red]error:[/red] the database has no callvault schema (or an older one): "
                "run `callvault migrate` first.",
                soft_wrap=True,
            )
        else:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            errors.print(f"[red]error:[/red] database failure: {reason}", soft_wrap=True)
        raise SystemExit(1) from None
