"""Small ASGI adapters: Laravel's routing habits, allowed hosts, failures logged once."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from callvault.api.responses import message_response
from callvault.api.urls import AllowedHosts, TrustedProxies, claimed_host


class LaravelRouting:
    """Trailing slashes are ignored and ``HEAD`` is served by the ``GET`` route, body dropped."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        raw: bytes = scope.get("raw_path") or path.encode()
        if len(raw) > 1 and raw.endswith(b"/"):
            # Literal slashes only, as Laravel trims them: an encoded one (%2F) is data.
            slashes = len(raw) - len(raw.rstrip(b"/"))
            scope = {**scope, "path": path[:-slashes] or "/", "raw_path": raw[:-slashes] or b"/"}
        if scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)


class AllowedHostsOnly:
    """Refuse (400) a request claiming a host that is not allowed, before anything else:
    page and webhook URLs are built from that host. The claim checked is the one those
    URLs use: ``X-Forwarded-Host`` from a trusted proxy, else ``Host``."""

    def __init__(self, app: ASGIApp, allowed: AllowedHosts, proxies: TrustedProxies) -> None:
        self.app = app
        self.allowed = allowed
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.allowed.anything:
            await self.app(scope, receive, send)
            return
        if self.allowed.allow(claimed_host(scope, self.proxies.trusts_peer(scope))):
            await self.app(scope, receive, send)
            return
        await message_response("Invalid host header.", 400)(scope, receive, send)


FAILURE_LOGGED = "callvault.failure_logged"
"""Scope key the 500 handler sets once it has logged the request's failure."""


class FailuresLoggedOnce:
    """Starlette answers an unhandled exception with the 500 handler, then raises it again
    "so that servers may log it": uvicorn would, in full, database rows and secrets
    included. Once the handler (``api/errors.py``) has logged it, told safely, it ends
    here."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = {**scope, FAILURE_LOGGED: False}
        try:
            await self.app(scope, receive, send)
        except Exception:
            if not scope[FAILURE_LOGGED]:
                raise
