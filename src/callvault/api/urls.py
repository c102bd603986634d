"""The request's own URL as Laravel's ``Request::url()`` sees it, trusted proxies included."""

from __future__ import annotations

import ipaddress
import re
from functools import cached_property

from starlette.requests import Request
from starlette.types import Scope

from callvault.errors import NotFound

_VALID_HOST = re.compile(r"(?:^\[)?[a-zA-Z0-9\-:\]_]+\.?")
_PORT_SUFFIX = re.compile(r":\d+$")
_SECURE_PROTOS = {"https", "on", "ssl", "1"}


class TrustedProxies:
    """Peers whose ``X-Forwarded-*`` headers are believed (``*`` believes everyone)."""

    def __init__(self, entries: list[str]) -> None:
        self.everyone = "*" in entries
        self.networks = [
            ipaddress.ip_network(entry, strict=False) for entry in entries if entry != "*"
        ]

    def trusts_peer(self, scope: Scope) -> bool:
        """Whether the request's peer is a trusted proxy."""
        client = scope.get("client")
        return self.trusts(client[0] if client else None)

    def trusts(self, address: str | None) -> bool:
        if self.everyone:
            return True
        if address is None or not self.networks:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)


class AllowedHosts:
    """Host names a request may claim (``CALLVAULT_ALLOWED_HOSTS``), matched like
    Starlette's ``TrustedHostMiddleware``: exactly, ``*.example.com`` for any subdomain,
    ``*`` for anything."""

    def __init__(self, patterns: list[str]) -> None:
        self.anything = "*" in patterns
        self.names = frozenset(p for p in patterns if not p.startswith("*"))
        self.suffixes = tuple(p[1:] for p in patterns if p.startswith("*."))

    def allow(self, host: str) -> bool:
        return self.anything or host in self.names or host.endswith(self.suffixes)


def _first_value(scope: Scope, name: bytes) -> str | None:
    key: bytes
    value: bytes
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")  # what Starlette's Headers.get returns
    return None


def claimed_host(scope: Scope, trusted: bool) -> str:
    """The host name a request claims, lower case, without its port, unchecked: a trusted
    proxy's ``X-Forwarded-Host`` (first value), else ``Host``, else the server's address.
    Read from the raw headers: the allowed-host check runs on every request."""
    raw = None
    if trusted:
        forwarded = _first_value(scope, b"x-forwarded-host")
        raw = (forwarded or "").split(",")[0].strip() or None
    if raw is None:
        raw = _first_value(scope, b"host")
    if not raw:
        server = scope.get("server")
        raw = str(server[0]) if server else ""
    return _PORT_SUFFIX.sub("", raw.strip()).lower()


class RequestUrl:
    """Scheme, host and port per Symfony's ``Request`` (first value of each forwarded header)."""

    def __init__(self, request: Request, proxies: TrustedProxies) -> None:
        self.request = request
        self.trusted = proxies.trusts_peer(request.scope)

    def _forwarded(self, name: str) -> str | None:
        if not self.trusted:
            return None
        value = self.request.headers.get(name)
        if not value:
            return None
        return value.split(",")[0].strip() or None

    @cached_property
    def scheme(self) -> str:
        proto = self._forwarded("x-forwarded-proto")
        if proto is not None:
            return "https" if proto.lower() in _SECURE_PROTOS else "http"
        return "https" if self.request.url.scheme in ("https", "wss") else "http"

    def claimed_host(self) -> str:
        """The claimed host name, lower case, without its port (not checked yet)."""
        return claimed_host(self.request.scope, self.trusted)

    @cached_property
    def host(self) -> str:
        host = self.claimed_host()
        if host and _VALID_HOST.sub("", host) != "":
            raise NotFound("Bad hostname provided.")
        return host

    @cached_property
    def port(self) -> int:
        source = self._forwarded("x-forwarded-port")
        if source is not None:
            source = f"0.0.0.0:{source}"
        else:
            source = self._forwarded("x-forwarded-host") or self.request.headers.get("host")
        if not source:
            server = self.request.scope.get("server")
            return int(server[1]) if server and server[1] else self._default_port
        position = (
            source.find(":", source.rfind("]")) if source.startswith("[") else source.rfind(":")
        )
        if position >= 0:
            digits = source[position + 1 :]
            if digits:
                try:
                    return int(digits)
                except ValueError:
                    return 0
        return self._default_port

    @property
    def _default_port(self) -> int:
        return 443 if self.scheme == "https" else 80

    def scheme_and_host(self) -> str:
        default = (self.scheme, self.port) in (("http", 80), ("https", 443))
        authority = self.host if default else f"{self.host}:{self.port}"
        return f"{self.scheme}://{authority}"

    def path_url(self) -> str:
        """``Request::url()``: scheme, host and raw path, trailing slash removed."""
        raw: bytes = self.request.scope.get("raw_path") or self.request.scope["path"].encode()
        path = raw.decode("latin-1").split("?", 1)[0].rstrip("/")
        return self.scheme_and_host() + path
