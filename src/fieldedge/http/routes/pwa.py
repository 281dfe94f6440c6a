"""The reference PWA at ``/app/``: static files shipped inside the package (``fieldedge/pwa``).

Served by whatever runs the app (uvicorn, Cloud Run, Lambda), so a rep's phone needs only
this origin. The page gets its own CSP (scripts, styles, images and the API from this
origin only; photos preview from ``blob:``) and a Permissions-Policy that lets it ask for
the position and the camera, which every API answer forbids.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

APP_PATH = "/app"
SHELL_DIR = Path(__file__).resolve().parent.parent.parent / "pwa"

SHELL_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' blob: data:; connect-src 'self'; "
        "worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'none'; object-src 'none'"
    ),
    "Permissions-Policy": (
        "geolocation=(self), camera=(self), accelerometer=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=(), interest-cohort=()"
    ),
    # The service worker keeps the shell offline; the browser still asks for each file
    # again (a 304 when unchanged) so a new release is picked up on the next start.
    "Cache-Control": "no-cache",
}


class ShellFiles(StaticFiles):
    """StaticFiles whose unknown extension-less paths redirect into the app's own router
    (``/app/orders/{id}`` to ``/app/#/orders/{id}``): the links in emails
    (``APP_BASE_URL/orders/{id}``) open the app on that screen."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or PurePosixPath(path).suffix:
                raise
            query = scope.get("query_string", b"").decode("latin-1")
            root = f"{scope.get('root_path', '')}/"
            return RedirectResponse(f"{root}{'?' + query if query else ''}#/{path}", 303)
        for name, value in SHELL_HEADERS.items():
            response.headers[name] = value
        return response


def pwa_routes() -> list[BaseRoute]:
    return [Mount(APP_PATH, app=ShellFiles(directory=SHELL_DIR, html=True), name="pwa")]
