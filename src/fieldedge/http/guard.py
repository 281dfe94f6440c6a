"""What runs before a route's handler, as its ``Operation`` declares: authentication from
the bearer header, then the route's rate-limit class. Both live here, so a route cannot
declare one thing in OpenAPI and do another."""

from __future__ import annotations

from starlette.requests import Request

from fieldedge.domain.access import Principal
from fieldedge.errors import AuthRequired, InvalidToken, RateLimited
from fieldedge.http.deps import deps_of
from fieldedge.ports.kv import RateWindow
from fieldedge.services.auth.authenticate import authenticate
from fieldedge.services.ratelimit import Limit, rate_headers

# Credentials in a URL end up in proxy logs, browser history and Referer headers.
_URL_CREDENTIALS = frozenset({"access_token", "accesstoken", "token", "jwt", "refresh_token"})


def client_ip(request: Request) -> str | None:
    """The client's address, as ``ClientAddressMiddleware`` decided it for this request
    (API Gateway's ``sourceIp``, the ALB's own hop, the peer; behind a trusted proxy the
    right-most untrusted hop): never a header a client set itself."""
    return request.client.host if request.client else None


def bearer_token(request: Request) -> str:
    if any(name.lower() in _URL_CREDENTIALS for name in request.query_params):
        raise InvalidToken("Send tokens in the Authorization header, never in the URL.")
    header = request.headers.get("authorization")
    if not header:
        raise AuthRequired()
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("Use the Authorization: Bearer <token> scheme.")
    return token.strip()


async def authenticated(request: Request) -> Principal:
    principal = await authenticate(bearer_token(request), deps_of(request), ip=client_ip(request))
    state = request.scope.setdefault("state", {})
    state["principal"] = principal
    state["user_id"] = str(principal.user_id)
    state["company_id"] = str(principal.company_id) if principal.company_id else None
    return principal


def principal_of(request: Request) -> Principal:
    principal = request.scope.get("state", {}).get("principal")
    if not isinstance(principal, Principal):
        raise AuthRequired()
    return principal


def remember(request: Request, window: RateWindow) -> None:
    """Keep the tightest window's headers; every response of the request carries them."""
    state = request.scope.setdefault("state", {})
    current: RateWindow | None = state.get("rate_window")
    if current is None or window.remaining < current.remaining:
        state["rate_window"] = window
        state["rate_headers"] = rate_headers(window)


async def limit(request: Request, rule: Limit, subject: str) -> None:
    """Count one hit of ``rule`` for ``subject``; over the limit raises ``RateLimited``."""
    window = await deps_of(request).limiter.hit(rule, subject)
    remember(request, window)
    if not window.allowed:
        raise RateLimited(headers=rate_headers(window, retry=True))


async def limit_class(request: Request, rate_class: str) -> None:
    """``auth`` guards what can be guessed: per client IP before sign-in (login, register,
    refresh, password reset), per user once signed in (change-password), so many reps
    behind one carrier NAT never share a budget for their own calls. Every other class
    is per user."""
    deps = deps_of(request)
    principal = request.scope.get("state", {}).get("principal")
    if rate_class == "auth":
        subject = f"ip:{client_ip(request) or 'unknown'}"
        if isinstance(principal, Principal):
            subject = f"user:{principal.company_id}:{principal.user_id}"
        await limit(request, deps.limits.auth_ip, subject)
        return
    principal = principal_of(request)
    rule: Limit = getattr(deps.limits, rate_class)
    await limit(request, rule, f"{principal.company_id}:{principal.user_id}")
