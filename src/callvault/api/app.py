"""``create_app(settings)``: the ASGI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from starlette.types import ASGIApp

from callvault import __version__
from callvault.api.deps import AppContext
from callvault.api.docs import install_docs
from callvault.api.errors import install_error_handlers
from callvault.api.middleware import AllowedHostsOnly, FailuresLoggedOnce, LaravelRouting
from callvault.api.system import router as system_router
from callvault.api.urls import AllowedHosts, TrustedProxies
from callvault.calls.endpoints import router as calls_router
from callvault.config import Settings
from callvault.db.database import database_of
from callvault.webhooks.endpoints import router as webhooks_router

DESCRIPTION = """
callvault stores every call of your AI voice assistants and serves it back through a
calls API compatible, key for key, with the hosted platform's `GET /api/user/calls`.

Authenticate with `Authorization: Bearer <id>|<secret>` (create one with
`callvault tokens create --user you@example.com`). Every error is JSON `{"message": …}`;
validation errors add `errors`, keyed by field.
"""

TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def create_fastapi(settings: Settings) -> FastAPI:
    """The FastAPI application itself (routes, handlers), without the ASGI adapters."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = database_of(settings, settings.db_pool_size)
        context = app.state.context = AppContext(settings, database)
        # Handlers hold a pooled connection while they run in the thread pool; with more
        # threads than pooled connections, requests past the pool opened (and closed) a
        # connection of their own: a new PostgreSQL backend for 5% of list requests at
        # concurrency 16. Requests past the pool now wait in the event loop instead.
        to_thread.current_default_thread_limiter().total_tokens = settings.db_pool_size
        context.webhook_batcher.start()
        try:
            yield
        finally:
            try:  # deliveries still queued are stored and answered before the engine goes
                await context.webhook_batcher.stop()
            finally:
                database.dispose()

    app = FastAPI(
        title="callvault",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        redirect_slashes=False,
        docs_url=None,  # served by install_docs, from local assets
        redoc_url=None,
        telemetry=None if settings.opentelemetry else TELEMETRY_OFF,
    )
    install_error_handlers(app)
    install_docs(app)
    app.include_router(calls_router)
    app.include_router(system_router)
    app.include_router(webhooks_router)
    return app


def create_app(settings: Settings) -> ASGIApp:
    """The service: FastAPI wrapped in Laravel's routing habits, behind the allowed hosts."""
    app = FailuresLoggedOnce(create_fastapi(settings))
    allowed = AllowedHosts(settings.allowed_hosts)
    return LaravelRouting(AllowedHostsOnly(app, allowed, TrustedProxies(settings.trusted_proxies)))


def app_from_environment() -> ASGIApp:
    """Factory for ``uvicorn --factory``: settings from ``CALLVAULT_*`` at start-up."""
    return create_app(Settings())
