"""``callvault webhooks create|list|rotate|delete|log``."""

from __future__ import annotations

from datetime import timedelta

import typer
from rich.table import Table

from callvault.cli.app import USER, command_of, console, moment, print_table, whole
from callvault.config import Settings
from callvault.webhooks import service as webhooks

webhooks_app = typer.Typer(help="Manage signed post-call webhook endpoints.", no_args_is_help=True)


def _url(settings: Settings, endpoint_id: str) -> str:
    return f"http://{settings.host}:{settings.port}/api/webhooks/calls/{endpoint_id}"


@webhooks_app.command("create")
def create(
    context: typer.Context,
    user: str = USER,
    name: str = typer.Option("webhook", help="A label."),
) -> None:
    """Create an endpoint; its secret is printed once."""
    command = command_of(context)
    with command.tenant(user) as tenant:
        created = webhooks.create_endpoint(tenant, name)
    url = _url(command.settings, created.endpoint.id)
    console.print(f"Endpoint {created.endpoint.id}  URL: {url}")
    console.print("Secret (shown once, keep it secret):")
    print(created.secret)


@webhooks_app.command("list")
def list_(context: typer.Context, user: str = USER) -> None:
    """List a user's endpoints (never their secrets)."""
    table = Table(
        whole("id"),
        "name",
        moment("created (UTC)"),
        moment("rotated (UTC)"),
        moment("old secret valid until (UTC)"),
    )
    with command_of(context).reading(user) as tenant:
        for endpoint in webhooks.list_endpoints(tenant):
            table.add_row(
                endpoint.id,
                endpoint.name,
                str(endpoint.created_at),
                str(endpoint.rotated_at or "never"),
                str(endpoint.previous_secret_expires_at or "-"),
            )
    print_table(table)


@webhooks_app.command("rotate")
def rotate(
    context: typer.Context,
    endpoint_id: str = typer.Argument(..., help="The endpoint's id (whe_…)."),
    user: str = USER,
    grace_hours: float = typer.Option(
        24.0, min=0, help="Hours during which the old secret still verifies (0: none)."
    ),
) -> None:
    """Give an endpoint a new secret, printed once."""
    with command_of(context).tenant(user) as tenant:
        rotated = webhooks.rotate_secret(tenant, endpoint_id, timedelta(hours=grace_hours))
        until = rotated.endpoint.previous_secret_expires_at
    console.print(f"Old secret verifies until {until} UTC." if until else "Old secret revoked.")
    console.print("New secret (shown once, keep it secret):")
    print(rotated.secret)


@webhooks_app.command("delete")
def delete(
    context: typer.Context, endpoint_id: str = typer.Argument(...), user: str = USER
) -> None:
    """Delete an endpoint and its delivery log."""
    with command_of(context).tenant(user) as tenant:
        webhooks.delete_endpoint(tenant, endpoint_id)
    console.print(f"Deleted endpoint {endpoint_id}.")


@webhooks_app.command("log")
def log(
    context: typer.Context,
    endpoint_id: str = typer.Argument(...),
    user: str = USER,
    limit: int = typer.Option(50, min=1, max=10_000, help="How many, newest first."),
) -> None:
    """What arrived at an endpoint: event id (or body hash), type, time and outcome."""
    table = Table(moment("received (UTC)"), whole("event"), "type", "call", "status", "outcome")
    with command_of(context).reading(user) as tenant:
        for delivery in webhooks.delivery_log(tenant, endpoint_id, limit):
            table.add_row(
                str(delivery.received_at),
                delivery.event_key,
                delivery.event_type or "-",
                str(delivery.call_id or "-"),
                str(delivery.status_code),
                delivery.outcome,
            )
    print_table(table)
