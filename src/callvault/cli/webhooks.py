"""``callvault webhooks create|list|rotate|delete|log``."""

from __future__ import annotations

from datetime import timedelta

import typer
from rich.table import Table

from callvault.cli.main import app, console, unit_of_work
from callvault.config import Settings
from callvault.users import service as users
from callvault.webhooks import service as webhooks

webhooks_app = typer.Typer(help="Manage signed post-call webhook endpoints.", no_args_is_help=True)
app.add_typer(webhooks_app, name="webhooks")

USER = typer.Option(..., "--user", help="The owner's email.")


def _url(settings: Settings, endpoint_id: str) -> str:
    return f"http://{settings.host}:{settings.port}/api/webhooks/calls/{endpoint_id}"


@webhooks_app.command("create")
def create(user: str = USER, name: str = typer.Option("webhook", help="A label.")) -> None:
    """Create an endpoint; its secret is printed once."""
    settings = Settings()
    with unit_of_work(settings) as session:
        owner = users.get_user_by_email(session, user)
        created = webhooks.create_endpoint(session, owner.id, name)
    console.print(f"Endpoint {created.endpoint.id}  URL: {_url(settings, created.endpoint.id)}")
    console.print("Secret (shown once, keep it secret):")
    print(created.secret)


@webhooks_app.command("list")
def list_(user: str = USER) -> None:
    """List a user's endpoints (never their secrets)."""
    settings = Settings()
    table = Table("id", "name", "created (UTC)", "rotated (UTC)", "old secret valid until (UTC)")
    with unit_of_work(settings) as session:
        owner = users.get_user_by_email(session, user)
        for endpoint in webhooks.list_endpoints(session, owner.id):
            table.add_row(
                endpoint.id,
                endpoint.name,
                str(endpoint.created_at),
                str(endpoint.rotated_at or "never"),
                str(endpoint.previous_secret_expires_at or "-"),
            )
    console.print(table)


@webhooks_app.command("rotate")
def rotate(
    endpoint_id: str = typer.Argument(..., help="The endpoint's id (whe_…)."),
    user: str = USER,
    grace_hours: float = typer.Option(
        24.0, min=0, help="Hours during which the old secret still verifies (0: none)."
    ),
) -> None:
    """Give an endpoint a new secret, printed once."""
    with unit_of_work(Settings()) as session:
        owner = users.get_user_by_email(session, user)
        rotated = webhooks.rotate_secret(
            session, owner.id, endpoint_id, timedelta(hours=grace_hours)
        )
        until = rotated.endpoint.previous_secret_expires_at
    console.print(f"Old secret verifies until {until} UTC." if until else "Old secret revoked.")
    console.print("New secret (shown once, keep it secret):")
    print(rotated.secret)


@webhooks_app.command("delete")
def delete(endpoint_id: str = typer.Argument(...), user: str = USER) -> None:
    """Delete an endpoint and its delivery log."""
    with unit_of_work(Settings()) as session:
        owner = users.get_user_by_email(session, user)
        webhooks.delete_endpoint(session, owner.id, endpoint_id)
    console.print(f"Deleted endpoint {endpoint_id}.")


@webhooks_app.command("log")
def log(
    endpoint_id: str = typer.Argument(...),
    user: str = USER,
    limit: int = typer.Option(50, min=1, max=10_000, help="How many, newest first."),
) -> None:
    """What arrived at an endpoint: event id (or body hash), type, time and outcome."""
    table = Table("received (UTC)", "event", "type", "call", "status", "outcome")
    with unit_of_work(Settings()) as session:
        owner = users.get_user_by_email(session, user)
        for delivery in webhooks.delivery_log(session, owner.id, endpoint_id, limit):
            table.add_row(
                str(delivery.received_at),
                delivery.event_key,
                delivery.event_type or "-",
                str(delivery.call_id or "-"),
                str(delivery.status_code),
                delivery.outcome,
            )
    console.print(table)
