"""The webhook sender: names resolved with the system resolver, POSTs made with httpx.

The caller checks every address a name resolves to (``domain.webhooks``) and hands one
back; the request connects to that address (the URL's host replaced by it, the name
kept in ``Host`` and as the TLS server name, so the certificate is still checked for the
name). A name cannot point elsewhere between the check and the connection.

Every POST is bounded: one overall deadline (httpx's timeouts are per operation, so a
receiver dripping a byte a second would outlast them), no redirects followed (a 3xx is
just a failed answer), and at most ``max_body_bytes`` of the response read.

httpx is imported, and the client made, on the first POST: a process that sends no
webhook (most Lambda invocations) pays nothing for it at cold start.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from fieldedge.ports.webhooks import SentWebhook, WebhookFailed

if TYPE_CHECKING:
    import httpx


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


class HttpxWebhookSender:
    def __init__(self, *, timeout_s: float, max_body_bytes: int) -> None:
        self._timeout_s = timeout_s
        self._max_body = max_body_bytes
        self._http: httpx.AsyncClient | None = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            import httpx

            self._http = httpx.AsyncClient(
                timeout=httpx.Timeout(self._timeout_s),
                follow_redirects=False,
                trust_env=False,  # no proxy from the environment: the checked address is used
                limits=httpx.Limits(max_connections=50, max_keepalive_connections=10),
            )
        return self._http

    async def resolve(self, host: str, port: int) -> list[str]:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self._timeout_s):
                found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, TimeoutError, ValueError) as exc:  # ValueError: a label over 63
            raise WebhookFailed(f"{host} does not resolve", 0) from exc
        return sorted({str(info[4][0]) for info in found})

    async def post(
        self, url: str, *, address: str, headers: Mapping[str, str], body: bytes
    ) -> SentWebhook:
        parts = urlsplit(url)
        host = parts.hostname or ""
        netloc = f"[{address}]" if ":" in address else address
        if parts.port is not None:
            netloc += f":{parts.port}"
        pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        host_header = host if parts.port is None else f"{host}:{parts.port}"
        import httpx

        client = self._client()
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._timeout_s):
                request = client.build_request(
                    "POST",
                    pinned,
                    content=body,
                    headers={**headers, "host": host_header},
                    extensions={"sni_hostname": host},
                )
                response = await client.send(request, stream=True)
                try:
                    kept = bytearray()
                    async for chunk in response.aiter_raw():
                        kept += chunk
                        if len(kept) > self._max_body:
                            raise WebhookFailed(
                                f"response body over {self._max_body} bytes",
                                _elapsed_ms(started),
                            )
                finally:
                    await response.aclose()
        except TimeoutError as exc:
            raise WebhookFailed("timed out", _elapsed_ms(started)) from exc
        except httpx.HTTPError as exc:
            raise WebhookFailed(type(exc).__name__, _elapsed_ms(started)) from exc
        return SentWebhook(response.status_code, _elapsed_ms(started), bytes(kept))

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None
