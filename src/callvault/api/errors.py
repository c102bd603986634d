"""One place where failures become the contract's JSON: ``{"message": …}`` and a status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match

from callvault.api.middleware import FAILURE_LOGGED
from callvault.api.responses import message_response, unavailable_response
from callvault.db.failures import describe, format_failure, is_unavailable
from callvault.errors import CallvaultError, ValidationFailed
from callvault.laravel.validation import ValidationResult

logger = logging.getLogger("callvault")

LARAVEL_VERBS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def laravel_path(request: Request) -> str:
    """``Request::path()``: the raw path without its outer slashes, or ``/``."""
    raw = request.scope.get("raw_path") or request.scope["path"].encode()
    return raw.decode("utf-8", "replace").strip("/") or "/"


def allowed_methods(request: Request) -> list[str]:
    """The methods some route accepts at this path, in Laravel's order."""
    routes = request.app.router.routes

    def accepts(verb: str) -> bool:
        scope = {**request.scope, "method": verb}
        return any(route.matches(scope)[0] is Match.FULL for route in routes)

    allowed = [verb for verb in LARAVEL_VERBS if accepts(verb)]
    if "GET" in allowed and "HEAD" not in allowed:
        allowed.insert(allowed.index("GET") + 1, "HEAD")
    return allowed


def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 404:
        return message_response(f"The route {laravel_path(request)} could not be found.", 404)
    if error.status_code == 405:
        allowed = allowed_methods(request)
        if request.method == "OPTIONS":
            return Response(status_code=200, headers={"Allow": ",".join(allowed)})
        message = (
            f"The {request.method} method is not supported for route {laravel_path(request)}. "
            f"Supported methods: {', '.join(allowed)}."
        )
        return message_response(message, 405, headers={"Allow": ", ".join(allowed)})
    headers = dict(error.headers) if error.headers else None
    return message_response(str(error.detail), error.status_code, headers=headers)


def _domain_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, CallvaultError)
    if isinstance(error, ValidationFailed):
        return message_response(error.message, error.status_code, errors=error.errors)
    return message_response(error.message, error.status_code)


def _request_validation_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors: dict[str, list[str]] = {}
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"][1:]) or "body"
        errors.setdefault(field, []).append(str(item["msg"]))
    return message_response(ValidationResult(errors).summary(), 422, errors=errors)


def _server_error(request: Request, error: Exception) -> Response:
    """A bug or a failing database: logged with its traceback, database errors without the
    values they quote (rows, secrets; ``db/failures.py``); answered with no detail. A
    database that cannot serve now (down, unreachable, too slow, full, read-only) is told
    in one line and answered 503, which a client may retry."""
    request.scope[FAILURE_LOGGED] = True
    if is_unavailable(error):
        logger.warning("database unavailable: %s", describe(error) or type(error).__name__)
        return unavailable_response()
    logger.error("unhandled error\n%s", format_failure(error))
    return message_response("Server Error", 500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(CallvaultError, _domain_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(Exception, _server_error)
