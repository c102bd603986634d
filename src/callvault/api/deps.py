"""Named dependencies: what a handler needs, said in its signature."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from sqlalchemy import Connection

from callvault.api.urls import TrustedProxies
from callvault.config import Settings
from callvault.db.database import Database
from callvault.errors import Unauthenticated
from callvault.tokens.service import TokenOwner, authenticate, bearer_from_header, touch_token


class AppContext:
    """Everything built once per app from its settings (the app's ``state.context``)."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.database = database
        self.proxies = TrustedProxies(settings.trusted_proxies)
        zone = settings.timezone
        self.display_zone: ZoneInfo | None = None if settings.display_timezone == "UTC" else zone
        self.calendar_zone = zone


async def get_context(request: Request) -> AppContext:
    """Async on purpose: no I/O, so no trip through the thread pool."""
    context: AppContext = request.app.state.context
    return context


Context = Annotated[AppContext, Depends(get_context)]


@contextmanager
def authenticated_read(
    request: Request, context: AppContext
) -> Iterator[tuple[Connection, TokenOwner]]:
    """A read connection and the user of the request's bearer token, found on it.

    Hot read endpoints use this directly so that signing in and answering share one
    connection, one transaction and one trip through the thread pool. 401
    ``Unauthenticated.`` when the token is missing, unknown, revoked or expired.
    """
    bearer = bearer_from_header(request.headers.get("authorization", ""))
    if bearer is None:
        raise Unauthenticated()
    database = context.database
    with database.connect() as connection:
        authentication = authenticate(connection, bearer, context.settings.token_touch_interval)
        if authentication is None:
            raise Unauthenticated()
        yield connection, authentication.user
    if authentication.needs_touch:
        with database.write() as session:
            touch_token(session, authentication.token_id)


def get_current_user(request: Request, context: Context) -> TokenOwner:
    """The user of the request's bearer token; 401 ``Unauthenticated.`` otherwise."""
    with authenticated_read(request, context) as (_, user):
        return user


CurrentUser = Annotated[TokenOwner, Depends(get_current_user)]
