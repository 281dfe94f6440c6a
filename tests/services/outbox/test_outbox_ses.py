"""The dispatcher through the real SES adapter, against moto's server over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from outbox_support import FlakyMailer, events, queue

from fakes import FixedClock
from fieldedge.domain.outbox import OutboxStatus
from fieldedge.ports.mail import Mailer
from fieldedge.services.deps import Deps
from fieldedge.services.outbox.backoff import CAP_S
from fieldedge.services.outbox.dispatcher import DispatchReport, dispatch_due
from fieldedge_adapters.mail import mailer_from_url

BuildDeps = Callable[..., Deps]


@pytest.fixture
async def ses(ses_url: str) -> AsyncIterator[Mailer]:
    mailer = mailer_from_url(ses_url, sender="ignored@example.com", timeout_s=5)
    try:
        yield mailer
    finally:
        await mailer.close()


async def sent_by_moto(endpoint: str, subject: str) -> list[dict[str, Any]]:
    """Every message moto's SES recorded with this subject, read over its own HTTP API."""
    async with httpx.AsyncClient() as http:
        response = await http.get(f"{endpoint}/moto-api/data.json")
    response.raise_for_status()
    return [m for m in response.json()["ses"]["Message"] if m["subject"] == subject]


def welcome_for(name: str) -> dict[str, str]:
    return {"name": name, "company": "Acme Pharma", "appUrl": "https://app.example.com"}


async def test_ses_through_moto_delivers_the_rendered_email(
    make_outbox_deps: BuildDeps, ses: Mailer, moto_server: str, ses_sender: str
) -> None:
    name = f"Asha {uuid.uuid4().hex[:8]}"  # moto keeps every message of the session
    deps = make_outbox_deps(ses)
    event = await queue(deps, context=welcome_for(name), to=["asha@example.com"])

    assert await dispatch_due(deps) == DispatchReport(claimed=1, sent=1)

    [message] = await sent_by_moto(moto_server, f"Welcome to fieldedge, {name}")
    assert message["source"] == ses_sender
    assert message["destinations"]["ToAddresses"] == ["asha@example.com"]
    assert f"Hello {name}," in message["body"]  # moto keeps the HTML part
    assert (await events(deps))[str(event.id)].status is OutboxStatus.SENT


async def test_ses_failing_twice_then_up_sends_exactly_once(
    make_outbox_deps: BuildDeps, ses: Mailer, moto_server: str, clock: FixedClock
) -> None:
    name = f"Ravi {uuid.uuid4().hex[:8]}"
    deps = make_outbox_deps(FlakyMailer(ses, failures=2))
    event = await queue(deps, context=welcome_for(name))

    reports = []
    for _ in range(4):
        reports.append(await dispatch_due(deps))
        clock.advance(CAP_S)  # past any backoff

    assert [(r.failed, r.sent) for r in reports] == [(1, 0), (1, 0), (0, 1), (0, 0)]
    assert len(await sent_by_moto(moto_server, f"Welcome to fieldedge, {name}")) == 1
    stored = (await events(deps))[str(event.id)]
    assert (stored.status, stored.attempts) == (OutboxStatus.SENT, 2)


async def test_ses_that_never_succeeds_ends_dead_after_the_maximum_attempts(
    make_outbox_deps: BuildDeps, ses: Mailer, moto_server: str, clock: FixedClock
) -> None:
    name = f"Mina {uuid.uuid4().hex[:8]}"
    deps = make_outbox_deps(FlakyMailer(ses, failures=None))  # default maximum: 8
    event = await queue(deps, context=welcome_for(name))

    for _ in range(deps.settings.outbox_max_attempts + 2):
        await dispatch_due(deps)
        clock.advance(CAP_S)

    stored = (await events(deps))[str(event.id)]
    assert (stored.status, stored.attempts) == (OutboxStatus.DEAD, 8)
    assert stored.last_error == "mail unavailable (refused)"
    assert await sent_by_moto(moto_server, f"Welcome to fieldedge, {name}") == []
