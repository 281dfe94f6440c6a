"""Access tokens are checked strictly: algorithm, key, every claim, time, type."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from jose import jwt

from fixtures.app import SECRET
from fixtures.identity_api import Api


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def claims_of(token: str) -> dict[str, Any]:
    return dict(jwt.get_unverified_claims(token))


async def status(api: Api, token: str) -> tuple[int, str]:
    response = await api.me(token)
    return response.status_code, response.json()["error"][
        "code"
    ] if response.status_code != 200 else ""


async def test_a_fresh_token_works(api: Api) -> None:
    session = await api.register()
    assert await status(api, session["accessToken"]) == (200, "")


async def test_alg_none_is_refused(api: Api) -> None:
    session = await api.register()
    claims = claims_of(session["accessToken"])
    forged = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."
    assert await status(api, forged) == (401, "INVALID_TOKEN")


async def test_another_algorithm_or_key_is_refused(api: Api) -> None:
    session = await api.register()
    claims = claims_of(session["accessToken"])
    hs512 = jwt.encode(claims, SECRET, algorithm="HS512")
    wrong_key = jwt.encode(claims, "another-secret-that-is-long-enough-to-use", algorithm="HS256")
    assert await status(api, hs512) == (401, "INVALID_TOKEN")
    assert await status(api, wrong_key) == (401, "INVALID_TOKEN")


@pytest.mark.parametrize("claim", ["sub", "cid", "role", "iat", "exp", "iss", "aud", "jti", "typ"])
async def test_a_missing_claim_is_refused(api: Api, claim: str) -> None:
    session = await api.register()
    claims = claims_of(session["accessToken"])
    del claims[claim]
    assert await status(api, jwt.encode(claims, SECRET, algorithm="HS256")) == (
        401,
        "INVALID_TOKEN",
    )


@pytest.mark.parametrize(
    ("claim", "value"),
    [("iss", "someone-else"), ("aud", "other-api"), ("typ", "refresh"), ("role", "SUPER_ADMIN")],
)
async def test_a_wrong_claim_is_refused(api: Api, claim: str, value: str) -> None:
    session = await api.register()
    claims = claims_of(session["accessToken"]) | {claim: value}
    assert await status(api, jwt.encode(claims, SECRET, algorithm="HS256")) == (
        401,
        "INVALID_TOKEN",
    )


async def test_expired_and_not_yet_valid_tokens_are_refused(api: Api) -> None:
    session = await api.register()
    # Verified once (and remembered), the token is still held to its lifetime.
    assert await status(api, session["accessToken"]) == (200, "")
    api.clock.advance(15 * 60 + 31)  # past expiry and the 30 s leeway
    assert await status(api, session["accessToken"]) == (401, "TOKEN_EXPIRED")
    claims = claims_of(session["accessToken"])
    future = int(api.clock.now().timestamp()) + 120
    early = jwt.encode(claims | {"iat": future, "exp": future + 900}, SECRET, algorithm="HS256")
    assert await status(api, early) == (401, "INVALID_TOKEN")
    api.clock.advance(121 - 30)  # within the leeway of its issue time: valid from now on
    assert await status(api, early) == (200, "")


async def test_within_the_leeway_a_token_still_works(api: Api) -> None:
    session = await api.register()
    api.clock.advance(15 * 60 + 20)
    assert await status(api, session["accessToken"]) == (200, "")


async def test_a_refresh_token_is_not_an_access_token(api: Api) -> None:
    session = await api.register()
    assert await status(api, session["refreshToken"]) == (401, "INVALID_TOKEN")


async def test_malformed_headers_are_refused(api: Api) -> None:
    for header in ("Basic abc", "Bearer", "Bearer    ", "token"):
        response = await api.client.get("/api/v1/auth/me", headers={"Authorization": header})
        assert response.status_code == 401
