"""Request bodies: malformed, wrong type, unknown fields; and a bug becomes a bare 500."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from pydantic import Field
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from fieldedge.http.body import read_json
from fieldedge.http.envelope import ok
from fieldedge.http.schemas import RequestModel
from fieldedge.http.spec import Operation, Resource
from fixtures.app import client_for


class Greeting(RequestModel):
    display_name: str = Field(min_length=1, max_length=20)
    times: int = Field(ge=1, le=3)


async def echo(request: Request) -> Response:
    greeting = await read_json(request, Greeting)
    return ok(request, {"hello": greeting.display_name * greeting.times}, status=201)


async def broken(request: Request) -> Response:
    raise RuntimeError("database password is hunter2 at 10.0.0.5")


@pytest.fixture
def app(fake_app: Callable[..., Starlette]) -> Starlette:
    """The real app and middleware, with two routes of this test's own."""
    app = fake_app()
    app.router.routes += [
        Resource("/test/echo", {"POST": Operation(echo, "echo", body=Greeting, auth=False)}),
        Resource("/test/broken", {"GET": Operation(broken, "broken", auth=False)}),
    ]
    return app


async def post(
    app: Starlette, content: bytes, content_type: str = "application/json"
) -> httpx.Response:
    async with client_for(app) as client:
        return await client.post(
            "/test/echo", content=content, headers={"content-type": content_type}
        )


async def test_valid_body_is_read_by_its_camel_case_names(app: Starlette) -> None:
    response = await post(app, b'{"displayName": "ab", "times": 2}')
    assert response.status_code == 201
    assert response.json()["data"] == {"hello": "abab"}


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"\xff\xfe", b"", b'{"displayName": NaN}', b"[1, 2]", b'"text"'],
)
async def test_malformed_or_non_object_body_is_400(app: Starlette, content: bytes) -> None:
    response = await post(app, content)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MALFORMED_REQUEST"


async def test_unknown_and_invalid_fields_are_422_with_details(app: Starlette) -> None:
    response = await post(app, b'{"displayName": "", "times": 9, "admin": true}')
    error = response.json()["error"]
    assert response.status_code == 422
    assert error["code"] == "VALIDATION_ERROR"
    assert error["retryable"] is False
    assert set(error["details"]) == {"displayName", "times", "admin"}
    assert error["details"]["admin"] == ["Unknown field."]


async def test_a_missing_field_is_named(app: Starlette) -> None:
    response = await post(app, b'{"times": 1}')
    assert response.json()["error"]["details"] == {"displayName": ["This field is required."]}


async def test_a_non_json_content_type_is_415(app: Starlette) -> None:
    response = await post(app, b"displayName=x", "application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


async def test_a_bug_is_500_with_the_request_id_and_nothing_else(app: Starlette) -> None:
    async with client_for(app) as client:
        response = await client.get("/test/broken", headers={"X-Request-ID": "trace-me"})
    body = response.json()
    assert response.status_code == 500
    assert body["error"]["code"] == "INTERNAL_ERROR"
    assert body["error"]["message"] == "Internal error. Quote request id trace-me."
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert response.headers["x-request-id"] == "trace-me"
    assert "x-frame-options" in response.headers
