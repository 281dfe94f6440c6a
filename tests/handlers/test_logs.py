"""Logs: one JSON access line per request, and no secret ever reaches the output."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
import structlog
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
