"""``/healthz`` and ``/api/user/me``."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import SQLAlchemyError

from callvault.api.deps import Context, CurrentUser
from callvault.api.openapi import error
from callvault.api.responses import PhpJsonResponse, unavailable_response

router = APIRouter()


class Health(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["ok"]
    database: Literal["sqlite", "postgresql"]


class Me(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: int = Field(examples=[1])
    name: str = Field(examples=["Demo Operator"])
    email: str = Field(examples=["demo@callvault.local"])


@router.get(
    "/healthz",
    summary="Liveness and database check",
    tags=["system"],
    operation_id="healthz",
    response_class=PhpJsonResponse,
    response_model=Health,
    responses={503: error("The database does not answer.", "Service Unavailable")},
)
def healthz(context: Context) -> PhpJsonResponse:
    try:
        context.database.ping()
    except SQLAlchemyError:
        return unavailable_response()
    return PhpJsonResponse({"status": "ok", "database": context.database.backend.name})


@router.get(
    "/api/user/me",
    summary="The authenticated user",
    tags=["user"],
    operation_id="me",
    response_class=PhpJsonResponse,
    response_model=Me,
)
def me(user: CurrentUser) -> PhpJsonResponse:
    return PhpJsonResponse({"id": user.id, "name": user.name, "email": user.email})
