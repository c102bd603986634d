"""``/healthz`` and ``/api/user/me``."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.exc import SQLAlchemyError

from callvault.api.deps import Context, CurrentUser
from callvault.api.responses import PhpJsonResponse, message_response
from callvault.calls.openapi import UNAUTHENTICATED

router = APIRouter()


@router.get("/healthz", summary="Liveness and database check", tags=["system"])
def healthz(context: Context) -> PhpJsonResponse:
    try:
        context.database.ping()
    except SQLAlchemyError:
        return message_response("Database unavailable.", 503)
    return PhpJsonResponse({"status": "ok", "database": context.database.backend.name})


@router.get(
    "/api/user/me",
    summary="The authenticated user",
    tags=["user"],
    responses={401: UNAUTHENTICATED},
)
def me(user: CurrentUser) -> PhpJsonResponse:
    return PhpJsonResponse({"id": user.id, "name": user.name, "email": user.email})
