"""Logs: one JSON access line per request, and no secret ever reaches the output."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import structlog
from lambda_events import event, scope_for
from starlette.applications import Starlette

from fieldedge_handlers.logs import configure_logging
from fixtures.app import client_for

TOKEN = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJl"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def json_logs() -> Iterator[None]:
    configure_logging(level="INFO", fmt="json")
    yield
    structlog.reset_defaults()


def lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


@pytest.mark.usefixtures("json_logs")
async def test_one_access_line_per_request_with_route_template(
    fake_app: Callable[..., Starlette], capsys: pytest.CaptureFixture[str]
) -> None:
    async with client_for(fake_app()) as client:
        await client.get("/api/health/live", headers={"X-Request-ID": "r-1"})
        await client.get(f"/api/files/a/b.jpg?sig={TOKEN}")
    access = [line for line in lines(capsys.readouterr().out) if line["event"] == "request"]
    assert len(access) == 2
    first, second = access
    assert first["request_id"] == "r-1"
    assert first["route"] == "/api/health/live"
    assert first["status"] == 200
    assert first["method"] == "GET"
    assert isinstance(first["duration_ms"], float)
    assert second["route"] == "/api/files/{key:path}"  # the template, never the raw URL


@pytest.mark.usefixtures("json_logs")
async def test_secrets_never_reach_the_logs(
    fake_app: Callable[..., Starlette], capsys: pytest.CaptureFixture[str]
) -> None:
    async with client_for(fake_app(slow_request_ms=1)) as client:
        await client.post(
            f"/api/v1/auth/login?token={TOKEN}",
            json={"email": "a@b.co", "password": PASSWORD},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    log = structlog.get_logger("test")
    log.warning(
        "oops",
        password=PASSWORD,
        refresh_token=TOKEN,
        photo=b"\xff\xd8" * 500,
        nested={"jwt_secret": TOKEN},
    )
    out = capsys.readouterr().out
    assert lines(out)
    assert TOKEN not in out
    assert PASSWORD not in out
    oops = next(line for line in lines(out) if line["event"] == "oops")
    assert oops["password"] == "[REDACTED]"
    assert oops["photo"] == "<1000 bytes>"
    assert oops["nested"] == {"jwt_secret": "[REDACTED]"}


@pytest.mark.usefixtures("json_logs")
async def test_json_lines_carry_cloud_loggings_severity_and_message(
    fake_app: Callable[..., Starlette], capsys: pytest.CaptureFixture[str]
) -> None:
    async with client_for(fake_app()) as client:
        await client.get("/api/health/live")
    structlog.get_logger("test").warning("careful", detail=1)
    out = lines(capsys.readouterr().out)
    access = next(line for line in out if line["event"] == "request")
    assert (access["severity"], access["message"]) == ("INFO", "request")
    careful = next(line for line in out if line["event"] == "careful")
    assert (careful["severity"], careful["message"]) == ("WARNING", "careful")


@pytest.mark.usefixtures("json_logs")
@pytest.mark.parametrize("kind", ["rest_v1", "http_v2"])
async def test_lambda_and_api_gateway_request_ids_sit_beside_x_request_id(
    fake_app: Callable[..., Starlette], capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    context = SimpleNamespace(aws_request_id="8476a536-e9f4-11e8-9739-2dfe598c3fcd")
    scope = scope_for(kind, path="/api/health/live", context=context)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await fake_app()(scope, receive, send)
    start = next(message for message in sent if message["type"] == "http.response.start")
    request_id = dict(start["headers"])[b"x-request-id"].decode()
    access = next(line for line in lines(capsys.readouterr().out) if line["event"] == "request")
    assert access["request_id"] == request_id
    assert access["aws_request_id"] == context.aws_request_id
    assert access["apigw_request_id"] == event(kind, "GET", "/")["requestContext"]["requestId"]
