"""``/api/v1/auth/*``: register, login, refresh, logout, password reset and change, me."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.http.body import read_json
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import client_ip, limit, principal_of
from fieldedge.http.middleware.security import NO_STORE
from fieldedge.http.routes.identity_schemas import (
    ChangePasswordBody,
    LoginBody,
    MeOut,
    RefreshBody,
    RegisterBody,
    ResetConfirmBody,
    ResetRequestBody,
    TokenOut,
)
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services.auth.change_password import change_password
from fieldedge.services.auth.login import Login, login
from fieldedge.services.auth.logout import logout
from fieldedge.services.auth.password_reset import (
    ResetPassword,
    request_password_reset,
    reset_password,
)
from fieldedge.services.auth.refresh import Refresh, refresh
from fieldedge.services.auth.register import Register, register
from fieldedge.services.auth.sessions import TokenPair
from fieldedge.services.company.settings import get_company
from fieldedge.services.users.manage import get_own_user

PREFIX = "/api/v1/auth"
TAGS = ("auth",)


# RFC 6749 5.1: a response carrying tokens is never stored by any cache.
_TOKEN_HEADERS = {"Cache-Control": NO_STORE, "Pragma": "no-cache"}


def _tokens(request: Request, pair: TokenPair, status: int = 200) -> Response:
    return ok(request, render(TokenOut, pair), status=status, headers=_TOKEN_HEADERS)


async def _per_email(request: Request, email: str) -> None:
    deps = deps_of(request)
    await limit(request, deps.limits.auth_email, f"email:{email}")


async def register_route(request: Request) -> Response:
    body = await read_json(request, RegisterBody)
    pair = await register(Register(ip=client_ip(request), **body.model_dump()), deps_of(request))
    return _tokens(request, pair, 201)


async def login_route(request: Request) -> Response:
    body = await read_json(request, LoginBody)
    await _per_email(request, body.email)
    pair = await login(Login(body.email, body.password, client_ip(request)), deps_of(request))
    return _tokens(request, pair)


async def refresh_route(request: Request) -> Response:
    body = await read_json(request, RefreshBody)
    return _tokens(
        request, await refresh(Refresh(body.refresh_token, client_ip(request)), deps_of(request))
    )


async def logout_route(request: Request) -> Response:
    body = await read_json(request, RefreshBody)
    await logout(principal_of(request), body.refresh_token, deps_of(request))
    return ok(request, None)


async def reset_request_route(request: Request) -> Response:
    body = await read_json(request, ResetRequestBody)
    await _per_email(request, body.email)
    await request_password_reset(body.email, deps_of(request), ip=client_ip(request))
    return ok(request, None, status=202)


async def reset_confirm_route(request: Request) -> Response:
    body = await read_json(request, ResetConfirmBody)
    cmd = ResetPassword(body.token, body.new_password, client_ip(request))
    await reset_password(cmd, deps_of(request))
    return ok(request, None)


async def change_password_route(request: Request) -> Response:
    body = await read_json(request, ChangePasswordBody)
    pair = await change_password(
        principal_of(request), body.current_password, body.new_password, deps_of(request)
    )
    return _tokens(request, pair)


async def me_route(request: Request) -> Response:
    principal = principal_of(request)
    deps = deps_of(request)
    user = await get_own_user(principal, deps)
    company = await get_company(principal, deps) if principal.company_id else None
    return ok(request, render(MeOut, {"user": user, "company": company}))


# Guessable without a session: limited per client IP (and login, reset per email too).
_PUBLIC: dict[str, Any] = {"auth": False, "rate_class": "auth", "tags": TAGS}

routes = [
    Resource(
        f"{PREFIX}/register",
        {
            "POST": Operation(
                register_route,
                "Create a company and its first ADMIN; returns tokens",
                body=RegisterBody,
                response=TokenOut,
                status=201,
                errors=(e.Conflict,),
                **_PUBLIC,
            )
        },
    ),
    Resource(
        f"{PREFIX}/login",
        {
            "POST": Operation(
                login_route,
                "Sign in with email and password",
                body=LoginBody,
                response=TokenOut,
                errors=(e.InvalidCredentials, e.Forbidden),
                **_PUBLIC,
            )
        },
    ),
    Resource(
        f"{PREFIX}/refresh",
        {
            "POST": Operation(
                refresh_route,
                "Rotate a refresh token for a new token pair",
                body=RefreshBody,
                response=TokenOut,
                errors=(e.InvalidToken,),
                **_PUBLIC,
            )
        },
    ),
    Resource(
        f"{PREFIX}/logout",
        {
            "POST": Operation(
                logout_route,
                "Revoke this session's refresh-token family",
                body=RefreshBody,
                tags=TAGS,
                rate_class="write",
                keys=False,
            )
        },
    ),
    Resource(
        f"{PREFIX}/password-reset/request",
        {
            "POST": Operation(
                reset_request_route,
                "Email a password-reset link (always 202)",
                body=ResetRequestBody,
                status=202,
                **_PUBLIC,
            )
        },
    ),
    Resource(
        f"{PREFIX}/password-reset/confirm",
        {
            "POST": Operation(
                reset_confirm_route,
                "Set a new password with a reset token; ends every session",
                body=ResetConfirmBody,
                **_PUBLIC,
            )
        },
    ),
    Resource(
        f"{PREFIX}/change-password",
        {
            "POST": Operation(
                change_password_route,
                "Change password (needs the current one); returns new tokens",
                body=ChangePasswordBody,
                response=TokenOut,
                tags=TAGS,
                rate_class="auth",  # the current password is guessable: per user
                keys=False,
            )
        },
    ),
    Resource(
        f"{PREFIX}/me",
        {
            "GET": Operation(
                me_route,
                "The signed-in user and their company",
                response=MeOut,
                tags=TAGS,
                rate_class="read",
                keys=False,
            )
        },
    ),
]
