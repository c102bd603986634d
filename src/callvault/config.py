"""Settings, read from ``CALLVAULT_*`` environment variables when the app or CLI starts."""

from __future__ import annotations

import ipaddress
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite:///callvault.db"


def _host_pattern(entry: str) -> str:
    """An allowed host as the ``Host`` header writes it: lower case, IPv6 in brackets."""
    pattern = entry.strip().lower()
    try:
        if ipaddress.ip_address(pattern).version == 6:
            pattern = f"[{pattern}]"
    except ValueError:
        pass
    if "*" in pattern[1:] or (pattern[:1] == "*" != pattern and pattern[:2] != "*."):
        raise ValueError(f"{entry!r}: a wildcard is '*' or '*.example.com'")
    if ":" in pattern and not pattern.startswith("["):
        raise ValueError(f"{entry!r}: a host name, without a port")
    return pattern


class Settings(BaseSettings):
    """Every knob of the service; see docs/configuration in the README."""

    model_config = SettingsConfigDict(env_prefix="CALLVAULT_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy URL: ``sqlite:///path.db`` (default) or ``postgresql+psycopg://…``."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1

    display_timezone: str = "UTC"
    """Timezone of the dates the API prints and of ``date_from``/``date_to`` calendar days."""

    trusted_proxies: Annotated[list[str], NoDecode] = []
    """Addresses or CIDR networks whose ``X-Forwarded-Proto/Host/Port`` headers are believed;
    ``*`` trusts every peer. Comma-separated in the environment."""

    allowed_hosts: Annotated[list[str], NoDecode] = ["localhost", "127.0.0.1", "[::1]"]
    """Host names the service answers for (``*.example.com`` covers subdomains, ``*`` any);
    any other ``Host`` (or trusted ``X-Forwarded-Host``) gets a 400, so that no page or
    webhook URL is built from a host an attacker chose. Comma-separated in the
    environment; the default serves a local install only."""

    token_touch_interval: int = 60
    """Seconds between writes of a token's ``last_used_at``."""

    db_pool_size: int = Field(default=10, ge=1)
    """Pooled connections per worker, and so the requests a worker runs on the database
    at once (its thread pool has as many threads); more wait their turn."""

    db_connect_timeout: float = Field(default=5.0, gt=0)
    """Seconds to open a database connection (or wait for a pooled one); past them the
    request is answered ``503 Service Unavailable``. PostgreSQL counts whole seconds, two
    at least."""

    db_statement_timeout: float = Field(default=30.0, ge=0)
    """Seconds a statement may run (PostgreSQL's ``statement_timeout``; on SQLite, how
    long a write waits for the file's lock); past them ``503``. 0 sets no limit."""

    db_prepared_statements: bool = True
    """Let psycopg prepare repeated statements on PostgreSQL (parsed once per connection,
    planned once where a generic plan is as good); false behind PgBouncer before 1.21 in
    transaction mode."""

    access_log: bool = True
    """One log line per request from ``callvault serve``; turn off behind a proxy that
    logs already (it costs several percent of a list request's CPU time)."""

    max_body_bytes: int = Field(default=65_536, ge=0)
    """Largest request body any other endpoint reads (they read it once the request is
    authenticated); a larger one is answered ``413``."""

    webhook_max_body_bytes: int = 1_048_576
    """Largest webhook delivery body accepted; a larger one is answered ``413``."""

    opentelemetry: bool = False
    """FastAPI's native OpenTelemetry spans/metrics/logs through the global providers.

    Off by default: even with no provider configured, FastAPI looks the providers up on
    every request, about 8% of a webhook delivery's CPU time.
    """

    @field_validator("trusted_proxies", "allowed_hosts", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("database_url")
    @classmethod
    def _usable_database(cls, value: str) -> str:
        """A URL of a backend and driver callvault has (said without echoing a password)."""
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "not a database URL (sqlite:///path.db or postgresql+psycopg://user@host/db)"
            ) from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(f"callvault runs on SQLite or PostgreSQL, not {url.drivername}")
        if url.get_driver_name() not in ("pysqlite", "psycopg"):
            expected = (
                "sqlite:///" if url.get_backend_name() == "sqlite" else "postgresql+psycopg://"
            )
            raise ValueError(
                f"use {expected}… (the driver callvault installs), not {url.drivername}"
            )
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _host_patterns(cls, value: list[str]) -> list[str]:
        return [_host_pattern(entry) for entry in value]

    @field_validator("display_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown timezone {value!r}") from error
        return value

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.display_timezone)
