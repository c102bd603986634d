"""Named dependencies, and the request's units of work: what a handler needs, said in its
signature. Handlers open their unit of work only through ``authenticated_read`` and
``tenant_write``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Request

from callvault.api.bodies import json_object, read_body
from callvault.api.urls import TrustedProxies
from callvault.config import Settings
from callvault.db.database import Database
from callvault.errors import Unauthenticated
from callvault.tokens.repository import TokenDirectory
from callvault.tokens.service import TokenOwner, authenticate, bearer_from_header, touch_token
from callvault.unit_of_work import Tenant, reading, writing
from callvault.webhooks.batcher import DeliveryBatcher


class AppContext:
    """Everything built once per app from its settings (the app's ``state.context``)."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.database = database
        self.webhook_batcher = DeliveryBatcher(database)  # started and stopped by the lifespan
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
) -> Iterator[tuple[Tenant, TokenOwner]]:
    """A read unit of work for the user of the request's bearer token, found on it.

    Hot read endpoints use this directly so that signing in and answering share one
    connection and one trip through the thread pool. 401 ``Unauthenticated.`` when the
    token is missing, unknown, revoked or expired.
    """
    bearer = bearer_from_header(request.headers.get("authorization", ""))
    if bearer is None:
        raise Unauthenticated()
    database = context.database
    with reading(database) as unit:
        authentication = authenticate(
            TokenDirectory.of(unit), bearer, context.settings.token_touch_interval
        )
        if authentication is None:
            raise Unauthenticated()
        yield unit.tenant(authentication.user.id), authentication.user
    if authentication.needs_touch:
        with writing(database) as unit:
            touch_token(unit.tenant(authentication.user.id), authentication.token_id)


def get_current_user(request: Request, context: Context) -> TokenOwner:
    """The user of the request's bearer token; 401 ``Unauthenticated.`` otherwise."""
    with authenticated_read(request, context) as (_, user):
        return user


CurrentUser = Annotated[TokenOwner, Depends(get_current_user)]


async def authenticated_json(
    request: Request, context: Context, _user: CurrentUser
) -> dict[str, Any]:
    """The JSON object body of a request whose token has been checked already (401 comes
    first, the body unread), capped at ``max_body_bytes`` (413)."""
    return json_object(await read_body(request, context.settings.max_body_bytes))


JsonBody = Annotated[dict[str, Any], Depends(authenticated_json)]


@contextmanager
def tenant_write(context: AppContext, user: TokenOwner) -> Iterator[Tenant]:
    """The request's write unit of work for ``user``: committed when the block ends, before
    the answer is sent; rolled back if it raised."""
    with writing(context.database) as unit:
        yield unit.tenant(user.id)
