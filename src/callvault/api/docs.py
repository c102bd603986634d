"""``/docs`` (Swagger UI) and ``/redoc`` from assets that ship with the service, and the
OpenAPI document they show (completed by ``api/openapi.py``).

FastAPI's own pages load their scripts, styles, favicon and fonts from CDNs, so offline
they stay blank. The assets here come from the ``fastapi-offline`` package (Swagger UI 5,
Redoc 2) and are served under a URL carrying that package's version, cacheable for good.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib import metadata, resources
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse, Response

from callvault.api.openapi import finish_document

ASSETS_VERSION = metadata.version("fastapi-offline")
ASSETS_URL = f"/docs/assets/{ASSETS_VERSION}"
SWAGGER_UI_PARAMETERS: dict[str, Any] = {"validatorUrl": None}  # no badge from swagger.io


class VersionedAssets(StaticFiles):
    """Files whose URL changes with their content: cached for a year, never revalidated."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _self_contained(page: HTMLResponse) -> tuple[bytes, dict[str, str]]:
    """The page, with a policy that lets the browser load only what this service serves
    (Redoc's sidebar asks a CDN for its logo: refused) and run only the page's own inline
    script, by its hash."""
    html = bytes(page.body).decode()
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    policy = (
        "default-src 'self'; "
        f"script-src 'self' {hashes}; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; "
        "worker-src 'self' blob:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return bytes(page.body), {"Content-Security-Policy": policy}


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs``, ``/redoc`` and their assets; ``app`` is built with both URLs off."""
    assets = resources.files("fastapi_offline") / "static"
    app.mount(ASSETS_URL, VersionedAssets(directory=str(assets)), name="docs-assets")
    favicon = f"{ASSETS_URL}/favicon.png"
    openapi_url = app.openapi_url or "/openapi.json"
    swagger_body, swagger_headers = _self_contained(
        get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=favicon,
            oauth2_redirect_url=None,
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )
    )
    redoc_body, redoc_headers = _self_contained(
        get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=favicon,
            with_google_fonts=False,
        )
    )

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return HTMLResponse(swagger_body, headers=swagger_headers)

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return HTMLResponse(redoc_body, headers=redoc_headers)

    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finish_document(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
