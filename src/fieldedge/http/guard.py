"""What runs before a route's handler, as its ``Operation`` declares: authentication from
the bearer header, then the route's rate-limit class. Both live here, so a route cannot
declare one thing in OpenAPI and do another.

An authenticated request costs one KV round trip: its rate-limit hit and its token's
revocation marks are one call (``RateLimiter.hit(read=…)``). When the KV cannot answer,
the limit is decided in-process and the database decides the revocation.

An integration's API key (``Authorization: Bearer fe_live_…`` or ``X-API-Key``) costs
the same one KV call (its company's mark and its last-used mark ride with the limit,
counted per key) plus the indexed read that finds the key by its prefix. Routes that
say ``keys=False`` (identity: who am I, my password, my session) refuse a key.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import Request

from fieldedge.domain.access import Principal
from fieldedge.errors import (
    AuthRequired,
    DependencyUnavailable,
    Forbidden,
    InvalidToken,
    RateLimited,
)
from fieldedge.http.deps import deps_of
from fieldedge.ports.kv import RateWindow
from fieldedge.services.auth import api_key
from fieldedge.services.auth.authenticate import Bearer, admit, verify
from fieldedge.services.ratelimit import Limit, rate_headers
from fieldedge.services.security.api_key_secrets import looks_like_key

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


def credential(request: Request) -> str:
    """The bearer token or API key the request carries (one of them, never both)."""
    key = request.headers.get("x-api-key")
    if key is None:
        return bearer_token(request)
    if request.headers.get("authorization"):
        raise InvalidToken("Send either Authorization or X-API-Key, not both.")
    if not looks_like_key(key.strip()):
        raise InvalidToken(api_key.NOT_VALID)
    return key.strip()


def _remember(request: Request, principal: Principal) -> None:
    state = request.scope.setdefault("state", {})
    state["principal"] = principal
    state["user_id"] = str(principal.user_id)
    state["company_id"] = str(principal.company_id) if principal.company_id else None
    if principal.api_key_id is not None:
        state["api_key_id"] = str(principal.api_key_id)


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


async def limit(
    request: Request, rule: Limit, subject: str, *, read: list[str] | None = None
) -> RateWindow:
    """Count one hit of ``rule`` for ``subject``; over the limit raises ``RateLimited``."""
    window = await deps_of(request).limiter.hit(rule, subject, read=read or ())
    remember(request, window)
    if not window.allowed:
        raise RateLimited(headers=rate_headers(window, retry=True))
    return window


async def guard(request: Request, *, auth: bool, rate_class: str | None, keys: bool = True) -> None:
    """Authenticate (if the route is authenticated) and count the route's rate limit, in
    one KV call: the limit's hit reads the token's revocation marks too.

    ``auth`` guards what can be guessed: per client IP before sign-in (login, register,
    refresh, password reset), per user once signed in (change-password), so many reps
    behind one carrier NAT never share a budget for their own calls. Every other class
    is per user."""
    deps = deps_of(request)
    bearer: Bearer | None = None
    caller: api_key.KeyCaller | None = None
    if auth:
        given = credential(request)
        if looks_like_key(given):
            if not keys:
                raise Forbidden("An API key cannot use this route; it belongs to users.")
            caller = await api_key.find(given, deps, ip=client_ip(request))
        else:
            bearer = verify(given, deps, ip=client_ip(request))
    marks = bearer.marks if bearer is not None else caller.marks if caller is not None else []
    values: Sequence[bytes | None] | None = None
    if rate_class is not None:
        rule: Limit = (
            deps.limits.auth_ip if rate_class == "auth" else getattr(deps.limits, rate_class)
        )
        if caller is not None:
            subject = f"key:{caller.key.id}"
        elif bearer is not None:
            subject = f"{bearer.claims.company_id}:{bearer.claims.user_id}"
            if rate_class == "auth":
                subject = f"user:{subject}"
        elif rate_class == "auth":
            subject = f"ip:{client_ip(request) or 'unknown'}"
        else:
            raise AuthRequired()
        values = (await limit(request, rule, subject, read=marks)).values
    elif marks:
        try:
            values = await deps.kv.get_many(marks)
        except DependencyUnavailable:
            values = None
    if bearer is not None:
        _remember(request, await admit(bearer, deps, values))
    elif caller is not None:
        _remember(request, await api_key.admit(caller, deps, values))
