"""Through the identity flows, the logs carry no password, token or reset link — except
inside the console mailer's own message, which exists to show a developer that link."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import structlog

from fieldedge_handlers.logs import configure_logging
from fixtures.identity_api import PASSWORD, Api, bearer


@pytest.fixture
def json_logs() -> Iterator[None]:
    configure_logging(level="DEBUG", fmt="json")
    yield
    structlog.reset_defaults()


@pytest.mark.usefixtures("json_logs")
async def test_no_secret_outside_the_console_mail(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    from fieldedge.services.outbox.dispatcher import drain

    session = await api.register()
    await api.login(session["email"], "a-wrong-password!")
    await api.client.post("/api/v1/auth/refresh", json={"refreshToken": session["refreshToken"]})
    await api.client.post("/api/v1/auth/password-reset/request", json={"email": session["email"]})
    await drain(api.deps)  # the console mailer logs the reset mail now
    mail = (await api.outbox("password_reset"))[0]
    link = mail["context"]["link"]
    reset_token = parse_qs(urlsplit(link).query)["token"][0]
    await api.client.get("/api/v1/auth/me", headers=bearer(session["accessToken"]))
    lines = [json.loads(raw) for raw in capsys.readouterr().out.splitlines() if raw.startswith("{")]
    assert any(line["event"] == "request" for line in lines)
    secrets = [
        PASSWORD,
        "a-wrong-password!",
        session["accessToken"],
        session["refreshToken"],
        reset_token,
    ]
    mails = [line for line in lines if line["event"] == "mail.console"]
    assert any(reset_token in json.dumps(line) for line in mails)  # the developer sees it
    for line in lines:
        if line["event"] == "mail.console":
            continue
        text = json.dumps(line)
        for secret in secrets:
            assert secret not in text, line
