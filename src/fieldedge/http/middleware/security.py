"""Security headers on every response, ``Cache-Control: no-store`` on every response to an
authenticated request, and CORS for the origins in ``CORS_ORIGINS`` only."""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fieldedge.errors import Forbidden
from fieldedge.http.envelope import error_body

SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=(), interest-cohort=()"
    ),
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-site",
}
# The interactive docs page runs Swagger UI's own script and styles from this origin.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)
NO_STORE = "no-store"
# The same, as raw ASGI header pairs: added in one pass over what the route already set
# (MutableHeaders.setdefault walks the whole list once per header).
_SECURITY_RAW = [
    (name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()
]
ALLOW_METHODS = "GET, POST, PATCH, PUT, DELETE, OPTIONS"
ALLOW_HEADERS = "Authorization, Content-Type, Idempotency-Key, X-Idempotency-Key, X-Request-ID"
EXPOSE_HEADERS = (
    "X-Request-ID, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, "
    "Idempotent-Replayed, Location"
)


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, *, cors_origins: list[str], docs_path: str) -> None:
        self.app = app
        self.origins = frozenset(cors_origins)
        self.docs_path = docs_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        allowed = origin is not None and origin in self.origins
        preflight = scope["method"] == "OPTIONS" and "access-control-request-method" in headers
        csp = DOCS_CSP if scope["path"].startswith(self.docs_path) else None

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                present = {name for name, _ in out.raw}
                out.raw.extend(pair for pair in _SECURITY_RAW if pair[0] not in present)
                if csp:
                    out["Content-Security-Policy"] = csp
                if scope.get("state", {}).get("principal") is not None:
                    # Answers for a signed-in user are theirs alone: no cache keeps them
                    # (a route may say more, as photos do with "private, no-store").
                    out.setdefault("Cache-Control", NO_STORE)
                if origin is not None:
                    out.add_vary_header("Origin")
                if allowed:
                    out["Access-Control-Allow-Origin"] = origin or ""
                    out["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
            await send(message)

        if preflight:
            await self._preflight(scope, allowed, send_secured)
            return
        await self.app(scope, receive, send_secured)

    @staticmethod
    async def _preflight(scope: Scope, allowed: bool, send: Send) -> None:
        if allowed:
            status, body = 204, b""
            headers = [
                (b"access-control-allow-methods", ALLOW_METHODS.encode()),
                (b"access-control-allow-headers", ALLOW_HEADERS.encode()),
                (b"access-control-max-age", b"600"),
            ]
        else:
            status, body = 403, error_body(scope, Forbidden("This origin is not allowed."))
            headers = [(b"content-type", b"application/json")]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
