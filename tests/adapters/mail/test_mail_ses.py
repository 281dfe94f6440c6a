"""SES v2 through moto's server over real HTTP, with the real aioboto3 client."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from fieldedge.errors import DependencyUnavailable
from fieldedge.ports.mail import EmailMessage, Mailer
from fieldedge_adapters.mail import mailer_from_url

APPROVED = EmailMessage(
    to=("rep@example.com", "contact@example.com"),
    subject="Order ORD-000123 approved",
    text="Your order ORD-000123 was approved.",
    html="<p>Your order <b>ORD-000123</b> was approved.</p>",
    reply_to="manager@example.com",
    headers={"X-Fieldedge-Event": "order.approved"},
)


@pytest.fixture
async def ses(ses_url: str) -> AsyncIterator[Mailer]:
    mailer = mailer_from_url(ses_url, sender="ignored@example.com", timeout_s=5)
    try:
        yield mailer
    finally:
        await mailer.close()


async def _sent_by_moto(endpoint: str, message_id: str) -> dict[str, Any]:
    """The message as moto's SES backend recorded it, read over its own HTTP API."""
    async with httpx.AsyncClient() as http:
        response = await http.get(f"{endpoint}/moto-api/data.json")
    response.raise_for_status()
    messages = response.json()["ses"]["Message"]
    [found] = [message for message in messages if message["id"] == message_id]
    return dict(found)


async def test_send_delivers_to_ses(ses: Mailer, moto_server: str, ses_sender: str) -> None:
    message_id = await ses.send(APPROVED)

    sent = await _sent_by_moto(moto_server, message_id)
    assert sent["source"] == ses_sender  # the URL's from= wins over the configured sender
    assert sent["subject"] == "Order ORD-000123 approved"
    assert sent["destinations"]["ToAddresses"] == ["rep@example.com", "contact@example.com"]
    # moto keeps one body, preferring HTML: it proves the HTML part was sent.
    assert sent["body"] == APPROVED.html
    assert ses.name == "ses"


async def test_text_only_message_is_sent(ses: Mailer, moto_server: str) -> None:
    plain = EmailMessage(to=("rep@example.com",), subject="Digest", text="3 visits today.")

    sent = await _sent_by_moto(moto_server, await ses.send(plain))

    assert sent["body"] == "3 visits today."


async def test_ping_answers_when_up(ses: Mailer) -> None:
    await ses.ping()


async def test_unverified_sender_is_refused_as_unavailable(moto_server: str) -> None:
    """SES refusing a send (sandbox, unverified sender) means mail is not available now;
    the outbox keeps the message and retries rather than losing it."""
    mailer = mailer_from_url(
        f"ses://eu-west-1?endpoint_url={moto_server}",
        sender="nobody@unverified.test",
        timeout_s=5,
    )
    try:
        with pytest.raises(DependencyUnavailable) as caught:
            await mailer.send(APPROVED)
        assert caught.value.dependency == "mail"
    finally:
        await mailer.close()


async def test_dead_endpoint_is_dependency_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    mailer = mailer_from_url(
        f"ses://eu-west-1?endpoint_url=http://127.0.0.1:{port}", sender="a@b.c", timeout_s=1
    )
    try:
        with pytest.raises(DependencyUnavailable) as caught:
            await mailer.send(APPROVED)
        assert (caught.value.dependency, caught.value.retryable) == ("mail", True)
        with pytest.raises(DependencyUnavailable):
            await mailer.ping()
    finally:
        await mailer.close()
