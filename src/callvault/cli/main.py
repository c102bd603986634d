"""``callvault``: users, tokens and demo data; the console script (the other commands are
in ``system``, ``transfer`` and ``webhooks``)."""

from __future__ import annotations

from datetime import timedelta

import typer
from pydantic import ValidationError
from rich.table import Table
from sqlalchemy.exc import DBAPIError

from callvault.cli import demo, system, transfer, webhooks
from callvault.cli.app import (
    USER,
    app,
    command_of,
    console,
    moment,
    print_table,
    report_error,
    whole,
)
from callvault.db.base import utcnow
from callvault.tokens import service as tokens
from callvault.users import service as users

users_app = typer.Typer(help="Manage users (tenants).", no_args_is_help=True)
tokens_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(webhooks.webhooks_app, name="webhooks")
system.register(app)
app.command()(demo.demo)
transfer.register(app)

__all__ = ["app", "main"]


@users_app.command("create")
def users_create(
    context: typer.Context,
    email: str = typer.Option(..., help="Login email, unique."),
    name: str = typer.Option("", help="Display name (defaults to the email)."),
) -> None:
    """Create a user."""
    with command_of(context).unit() as unit:
        user = users.create_user(unit, name=name, email=email)
        console.print(f"Created user {user.id} <{user.email}>")


@tokens_app.command("create")
def tokens_create(
    context: typer.Context,
    user: str = USER,
    name: str = typer.Option("cli", help="A label for the token."),
    expires_in_days: int | None = typer.Option(
        None, min=1, max=36_500, help="Expire after this many days (1 to 36500)."
    ),
) -> None:
    """Issue a token; it is printed once and cannot be shown again."""
    expires_at = None if expires_in_days is None else utcnow() + timedelta(days=expires_in_days)
    with command_of(context).tenant(user) as tenant:
        issued = tokens.issue_token(tenant, name=name, expires_at=expires_at)
    console.print("Token (shown once, keep it secret):")
    print(issued.plain_text)


@tokens_app.command("list")
def tokens_list(context: typer.Context, user: str = USER) -> None:
    """List a user's tokens (never their secrets)."""
    table = Table(
        whole("id"),
        "name",
        moment("created (UTC)"),
        moment("last used (UTC)"),
        moment("expires (UTC)"),
    )
    with command_of(context).reading(user) as tenant:
        for token in tokens.list_tokens(tenant):
            table.add_row(
                str(token.id),
                token.name,
                str(token.created_at),
                str(token.last_used_at or "never"),
                str(token.expires_at or "never"),
            )
    print_table(table)


@tokens_app.command("revoke")
def tokens_revoke(
    context: typer.Context,
    token_id: int = typer.Argument(..., help="The token's id (the part before '|')."),
    user: str = USER,
) -> None:
    """Revoke a token at once."""
    with command_of(context).tenant(user) as tenant:
        tokens.revoke_token(tenant, token_id)
    console.print(f"Revoked token {token_id}.")


def _missing_schema(error: DBAPIError) -> bool:
    text = str(error.orig)
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def main() -> None:
    """The console script: database and configuration failures end in one clear line, not
    a traceback."""
    try:
        app()
    except DBAPIError as error:
        if _missing_schema(error):
            report_error(
                "the database has no callvault schema (or an older one): "
                "run `callvault migrate` first."
            )
        else:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            report_error(f"database failure: {reason}")
        raise SystemExit(1) from None
    except ValidationError as error:
        problems = "; ".join(
            f"CALLVAULT_{'_'.join(map(str, e['loc'])).upper()}: "
            + e["msg"].removeprefix("Value error, ")
            for e in error.errors()
        )
        report_error(f"invalid setting: {problems}")
        raise SystemExit(1) from None
    except OSError as error:  # a file or directory named on the command line
        where = f": {error.filename}" if error.filename else ""
        report_error(f"{error.strerror or error}{where}")
        raise SystemExit(1) from None
