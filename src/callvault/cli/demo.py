"""``callvault demo``: demo data and a token to try it with (what ``./run.sh`` runs)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from callvault.cli.app import command_of, console, counted
from callvault.errors import NotFound
from callvault.tokens import service as tokens
from callvault.unit_of_work import UnitOfWork
from callvault.users import service as users


def demo(
    context: typer.Context,
    email: str = typer.Option("demo@callvault.local", help="The demo user's email."),
    calls: int = typer.Option(3000, min=1, help="How many calls to generate."),
    seed: int = typer.Option(42, help="Random seed (same seed, same calls)."),
    token_file: Annotated[
        Path | None,
        typer.Option(
            help="Keep the token in this file (mode 0600) and print it again while it still "
            "works, instead of a new token each run."
        ),
    ] = None,
) -> None:
    """Fill the database with realistic demo data (once) and print a token to try it."""
    from callvault.demo.generator import fill_demo_data

    command = command_of(context)
    settings = command.settings
    command.migrate()
    with command.unit() as unit:
        try:
            owner = users.get_user_by_email(unit, email)
            console.print(f"Demo user {email} exists; keeping its calls.")
        except NotFound:
            owner = users.create_user(unit, name="Demo Operator", email=email)
            console.print(f"Generating {counted(calls, 'demo call')} for {email}…")
            progress = Progress(
                TextColumn("[bold]demo[/bold]"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
                disable=not console.is_terminal,
                transient=True,
            )
            with progress:
                task = progress.add_task("demo", total=calls)
                summary = fill_demo_data(
                    unit.tenant(owner.id),
                    calls=calls,
                    seed=seed,
                    on_batch=lambda done: progress.update(task, completed=done),
                )
            console.print(
                f"Created {counted(summary.calls, 'call')}, {summary.assistants} assistants "
                f"and {summary.campaigns} campaigns for {email}."
            )
        token, where = _token(unit, owner.id, token_file)
    base = f"http://{settings.host}:{settings.port}"
    console.print(f"\nAPI:   {base}/api/user/calls\nDocs:  {base}/docs", highlight=False)
    console.print(f"Token: {token}", markup=False, highlight=False, soft_wrap=True)
    if where:
        console.print(f"       ({where})", markup=False, highlight=False, soft_wrap=True)
    header = f"Authorization: Bearer {token}"
    console.print(
        f"Try:   curl -H '{header}' '{base}/api/user/calls?per_page=2'\n",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def _token(unit: UnitOfWork, owner_id: int, kept: Path | None) -> tuple[str, str | None]:
    """The token in ``kept`` while it still signs the owner in; else a new one (saved there
    when ``kept`` is given). Returns it, and where it is kept."""
    if kept is not None and kept.is_file():
        token = kept.read_text(encoding="utf-8").strip()
        owner = tokens.token_owner(unit, token)
        if owner is not None and owner.id == owner_id:
            return token, f"kept in {kept}: the same token as before"
    issued = tokens.issue_token(unit.tenant(owner_id), name="demo").plain_text
    if kept is None:
        return issued, None
    descriptor = os.open(kept, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        os.fchmod(out.fileno(), 0o600)  # a file that existed keeps its mode otherwise
        out.write(issued + "\n")
    return issued, f"saved in {kept}, readable by you only"
