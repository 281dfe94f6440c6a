"""``/api/openapi.json`` and interactive docs at ``/api/docs``, assets served by the app."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from fieldedge.http.spec import Operation, Resource

DOCS_PATH = "/api/docs"

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fieldedge API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>"""

# Served as a file, not inline, so the page's CSP can forbid inline scripts.
# validatorUrl null: no badge that sends the document to swagger.io to be checked.
_INIT = """window.ui = SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#swagger-ui",
  deepLinking: true, persistAuthorization: false, validatorUrl: null});"""


async def openapi(request: Request) -> Response:
    # Built on first request, not in create_app: it costs ~30 ms of every cold start
    # otherwise, and a Lambda container serving the PWA may never be asked for it.
    document = getattr(request.app.state, "openapi", None)
    if document is None:
        from fieldedge import __version__
        from fieldedge.http.openapi import build_openapi

        document = build_openapi(request.app.routes, version=__version__)
        request.app.state.openapi = document
    return JSONResponse(document)


async def docs_page(request: Request) -> Response:
    return HTMLResponse(_PAGE)


async def docs_init(request: Request) -> Response:
    return Response(_INIT, media_type="text/javascript")


def docs_routes() -> list[BaseRoute]:
    # Imported here: the bundle is only looked up when the app is built, never at import.
    from swagger_ui_bundle import swagger_ui_path

    def page(handler: object, summary: str, media: str) -> dict[str, Operation]:
        return {"GET": Operation(handler, summary, ("meta",), auth=False, media_type=media)}  # type: ignore[arg-type]

    return [
        Resource(
            "/api/openapi.json", page(openapi, "This OpenAPI 3.1 document", "application/json")
        ),
        Resource(DOCS_PATH, page(docs_page, "Interactive API docs", "text/html")),
        Resource(
            f"{DOCS_PATH}/init.js",
            {"GET": Operation(docs_init, "docs", auth=False, in_schema=False)},
        ),
        Mount(
            f"{DOCS_PATH}/assets",
            app=StaticFiles(directory=str(swagger_ui_path)),
            name="docs-assets",
        ),
    ]
