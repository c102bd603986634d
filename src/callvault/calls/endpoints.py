"""``/api/user/calls``: the list (the contract), one call, and delete."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response

from callvault.api.deps import Context, CurrentUser, authenticated_read, tenant_write
from callvault.api.responses import PhpJsonResponse, PhpValuesResponse, php_values
from callvault.api.urls import RequestUrl
from callvault.calls import service
from callvault.calls.openapi import (
    DELETE_RESPONSES,
    LIST_PARAMETERS,
    LIST_RESPONSES,
    ONE_CALL_RESPONSES,
    CallId,
    CallItem,
    CallPage,
)
from callvault.calls.schemas import UNPLAIN_FIELDS, call_item, parse_list_query
from callvault.laravel.paginator import PageUrls, paginate
from callvault.laravel.query import clean_query, parse_query

router = APIRouter(prefix="/api/user/calls", tags=["calls"])

_ROUTE_ID = re.compile(r"[+-]?[0-9]{1,19}\Z")


def php_item(row: Any, zone: ZoneInfo | None) -> dict[str, Any]:
    """A call item ready for ``PhpValuesResponse``: only its non-plain fields converted."""
    item = call_item(row, zone)
    for field in UNPLAIN_FIELDS:
        if item[field] is not None:
            item[field] = php_values(item[field])
    return item


def route_id(raw: str) -> int | None:
    """The call id in the path, compared as the database would (``007`` and ``+7`` are 7)."""
    if not _ROUTE_ID.match(raw):
        return None
    number = int(raw)
    return number if -(2**63) <= number < 2**63 else None


@router.get(
    "",
    summary="List calls",
    description=(
        "The authenticated user's calls, newest first (`created_at` then `id` descending), "
        "as Laravel's length-aware paginator JSON. Filters combine with AND."
    ),
    operation_id="list_calls",
    response_class=PhpJsonResponse,
    response_model=CallPage,
    responses=LIST_RESPONSES,
    openapi_extra={"parameters": LIST_PARAMETERS},
)
def list_calls(request: Request, context: Context) -> PhpValuesResponse:
    with authenticated_read(request, context) as (tenant, _):
        query = clean_query(parse_query(request.scope["query_string"]))
        list_query = parse_list_query(query, context.calendar_zone)
        urls = PageUrls(RequestUrl(request, context.proxies).path_url(), query)
        page = service.list_calls(tenant, list_query)
    items = [php_item(row, context.display_zone) for row in page.rows]
    body: dict[str, Any] = paginate(
        items,
        total=page.total,
        per_page=list_query.per_page,
        current_page=list_query.page,
        urls=urls,
    )
    return PhpValuesResponse(body)


@router.get(
    "/{call_id}",
    summary="Get one call",
    operation_id="get_call",
    response_class=PhpJsonResponse,
    response_model=CallItem,
    responses=ONE_CALL_RESPONSES,
)
def get_call(call_id: CallId, request: Request, context: Context) -> PhpValuesResponse:
    with authenticated_read(request, context) as (tenant, _):
        row = service.get_call(tenant, call_id, route_id(call_id))
    return PhpValuesResponse(php_item(row, context.display_zone))


@router.delete(
    "/{call_id}",
    summary="Delete one call",
    operation_id="delete_call",
    status_code=204,
    response_class=Response,
    responses=DELETE_RESPONSES,
)
def delete_call(call_id: CallId, user: CurrentUser, context: Context) -> Response:
    with tenant_write(context, user) as tenant:
        service.delete_call(tenant, call_id, route_id(call_id))
    return Response(status_code=204)
