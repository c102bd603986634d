"""``/api/webhooks/calls/{endpoint_id}`` (signed deliveries) and ``/api/user/webhooks``."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from callvault.api.bodies import read_body
from callvault.api.deps import (
    AppContext,
    Context,
    CurrentUser,
    JsonBody,
    authenticated_read,
    tenant_write,
)
from callvault.api.responses import PhpJsonResponse
from callvault.api.urls import RequestUrl
from callvault.laravel.query import clean_query, parse_query
from callvault.webhooks import openapi, schemas, service
from callvault.webhooks.models import WebhookDelivery, WebhookEndpoint
from callvault.webhooks.openapi import EndpointId
from callvault.webhooks.signing import HEADER

router = APIRouter(tags=["webhooks"])


async def delivery_body(request: Request, context: Context) -> bytes:
    """The raw body (the signature covers it), capped at ``webhook_max_body_bytes``."""
    return await read_body(request, context.settings.webhook_max_body_bytes)


RawBody = Annotated[bytes, Depends(delivery_body)]


@router.post(
    "/api/webhooks/calls/{endpoint_id}",
    summary="Receive a signed call event",
    description=(
        'Body `{"event": "call.started"|"call.completed"|"call.failed", "id"?: …, '
        '"call": {…call item, assistant_id, campaign_id}}`, signed in the '
        f'`{HEADER}: t=<unix>,v1=<hex hmac-sha256(secret, "<t>.<body>")>` header. '
        "Answers 200 only once the call is committed; 401 bad or stale signature, "
        "404 unknown endpoint, 413 body too large, 422 invalid payload."
    ),
    operation_id="receive_webhook_delivery",
    response_class=PhpJsonResponse,
    response_model=openapi.DeliveryOutcome,
    responses=openapi.DELIVERY_RESPONSES,
    openapi_extra=openapi.DELIVERY_BODY,
)
async def receive_delivery(
    endpoint_id: EndpointId, request: Request, body: RawBody, context: Context
) -> PhpJsonResponse:
    batcher = context.webhook_batcher
    batcher.check_accepting()
    delivery = service.Delivery(endpoint_id, request.headers.get(HEADER, ""), body, time.time())
    event = service.parse_event(body, context.calendar_zone)
    if event.errors:
        await batcher.reject(delivery, event)
        raise service.rejection(event)
    outcome = await batcher.submit(delivery, event)
    return PhpJsonResponse({"message": "OK", "event": event.key, "outcome": outcome})


def _endpoint_json(endpoint: WebhookEndpoint, base_url: str) -> dict[str, Any]:
    """``base_url``: scheme and host as the sender sees them (trusted proxies believed)."""
    return {
        "id": endpoint.id,
        "name": endpoint.name,
        "url": f"{base_url}/api/webhooks/calls/{endpoint.id}",
        "created_at": str(endpoint.created_at),
        "rotated_at": str(endpoint.rotated_at) if endpoint.rotated_at else None,
        "previous_secret_expires_at": (
            str(endpoint.previous_secret_expires_at)
            if endpoint.previous_secret_expires_at
            else None
        ),
    }


def _base_url(request: Request, context: AppContext) -> str:
    return RequestUrl(request, context.proxies).scheme_and_host()


def _delivery_json(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "event": delivery.event_key,
        "type": delivery.event_type,
        "call_id": delivery.call_id,
        "received_at": str(delivery.received_at),
        "status": delivery.status_code,
        "outcome": delivery.outcome,
    }


@router.get(
    "/api/user/webhooks",
    summary="List webhook endpoints",
    operation_id="list_webhook_endpoints",
    response_class=PhpJsonResponse,
    response_model=openapi.EndpointList,
)
def list_endpoints(request: Request, context: Context) -> PhpJsonResponse:
    base_url = _base_url(request, context)
    with authenticated_read(request, context) as (tenant, _):
        endpoints = service.list_endpoints(tenant)
        data = [_endpoint_json(endpoint, base_url) for endpoint in endpoints]
    return PhpJsonResponse({"data": data})


@router.post(
    "/api/user/webhooks",
    summary="Create a webhook endpoint (its secret is shown once)",
    operation_id="create_webhook_endpoint",
    status_code=201,
    response_class=PhpJsonResponse,
    response_model=openapi.EndpointWithSecret,
    responses=openapi.CREATE_RESPONSES,
    openapi_extra=openapi.CREATE_BODY,
)
def create_endpoint(
    request: Request, user: CurrentUser, body: JsonBody, context: Context
) -> PhpJsonResponse:
    name = schemas.endpoint_name(body)
    with tenant_write(context, user) as tenant:
        created = service.create_endpoint(tenant, name)
        answer = {
            **_endpoint_json(created.endpoint, _base_url(request, context)),
            "secret": created.secret,
        }
    return PhpJsonResponse(answer, status_code=201)


@router.post(
    "/api/user/webhooks/{endpoint_id}/rotate",
    summary="Rotate an endpoint's secret; the old one verifies during the grace period",
    operation_id="rotate_webhook_secret",
    response_class=PhpJsonResponse,
    response_model=openapi.EndpointWithSecret,
    responses=openapi.ROTATE_RESPONSES,
    openapi_extra=openapi.ROTATE_BODY,
)
def rotate_secret(
    endpoint_id: EndpointId, request: Request, user: CurrentUser, body: JsonBody, context: Context
) -> PhpJsonResponse:
    grace = schemas.grace_period(body)
    with tenant_write(context, user) as tenant:
        rotated = service.rotate_secret(tenant, endpoint_id, grace)
        answer = {
            **_endpoint_json(rotated.endpoint, _base_url(request, context)),
            "secret": rotated.secret,
        }
    return PhpJsonResponse(answer)


@router.delete(
    "/api/user/webhooks/{endpoint_id}",
    summary="Delete a webhook endpoint and its delivery log",
    operation_id="delete_webhook_endpoint",
    status_code=204,
    response_class=Response,
    responses=openapi.DELETE_RESPONSES,
)
def delete_endpoint(endpoint_id: EndpointId, user: CurrentUser, context: Context) -> Response:
    with tenant_write(context, user) as tenant:
        service.delete_endpoint(tenant, endpoint_id)
    return Response(status_code=204)


@router.get(
    "/api/user/webhooks/{endpoint_id}/deliveries",
    summary="The endpoint's latest deliveries, newest first",
    operation_id="list_webhook_deliveries",
    response_class=PhpJsonResponse,
    response_model=openapi.DeliveryList,
    responses=openapi.DELIVERIES_RESPONSES,
    openapi_extra={"parameters": [openapi.LIMIT_PARAMETER]},
)
def list_deliveries(endpoint_id: EndpointId, request: Request, context: Context) -> PhpJsonResponse:
    with authenticated_read(request, context) as (tenant, _):
        limit = schemas.delivery_limit(clean_query(parse_query(request.scope["query_string"])))
        deliveries = service.delivery_log(tenant, endpoint_id, limit)
        data = [_delivery_json(delivery) for delivery in deliveries]
    return PhpJsonResponse({"data": data})
