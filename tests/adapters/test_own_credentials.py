"""Storage and mail each sign with their own keys when given them (R2 storage beside SES
mail on the AWS role), else with the AWS chain: seen in what goes on the wire."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from fieldedge.errors import DependencyUnavailable
from fieldedge.ports.mail import EmailMessage
from fieldedge_adapters.mail import mailer_from_url
from fieldedge_adapters.storage import storage_from_url

MESSAGE = EmailMessage(to=("a@example.com",), subject="s", text="t", html="<p>t</p>")


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[str, list[bytes]]]:
    """An endpoint that records each request's head and answers 500 (so nothing retries
    long): what the client signed with is in its Authorization header."""
    heads: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", heads
    finally:
        server.close()
        await server.wait_closed()


async def test_mail_signs_with_its_own_keys(
    recorder: tuple[str, list[bytes]], moto_server: str
) -> None:
    endpoint, heads = recorder
    own = mailer_from_url(
        f"ses://eu-west-1?from=a@example.com&endpoint_url={endpoint}",
        sender="x@example.com",
        timeout_s=2,
        credentials=("AKIAMAILONLY", "mail-secret"),
    )
    chain = mailer_from_url(
        f"ses://eu-west-1?from=a@example.com&endpoint_url={endpoint}",
        sender="x@example.com",
        timeout_s=2,
    )
    signed_with = []
    for mailer in (own, chain):
        with pytest.raises(DependencyUnavailable):
            await mailer.send(MESSAGE)
        await mailer.close()
        signed_with.append([head.split(b"Credential=")[1].split(b"/")[0] for head in heads])
        heads.clear()
    assert set(signed_with[0]) == {b"AKIAMAILONLY"}
    assert set(signed_with[1]) == {b"testing"}  # moto_server's fake chain credentials


async def test_storage_signs_with_its_own_keys(moto_server: str) -> None:
    store = storage_from_url(
        f"s3://bucket?endpoint_url={moto_server}&region=auto",
        timeout_s=2,
        signing_key=b"k" * 32,
        public_base_url="http://127.0.0.1",
        credentials=("R2TOKENKEYID", "r2-secret"),
    )
    try:
        url = await store.presign_get("c/visits/v/p.jpg", expires_s=60)
    finally:
        await store.close()
    assert "X-Amz-Credential=R2TOKENKEYID%2F" in url
