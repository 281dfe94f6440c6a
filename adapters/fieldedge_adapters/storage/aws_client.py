"""One long-lived aioboto3 client per adapter, opened on first use, with errors translated.

Shared by the S3 store and the SES mailer (importing this module imports aioboto3, so
only those two adapter modules do). A client holds an HTTP connection pool; opening one
per call would pay TLS and credential resolution every time, so each adapter keeps one
and closes it in its own ``close()``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import aioboto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from fieldedge.errors import DependencyUnavailable

MAX_ATTEMPTS = 2  # one retry: enough for a dropped connection, short enough for a request


class AwsClient:
    def __init__(
        self,
        service: str,
        *,
        dependency: str,
        timeout_s: float,
        region: str | None = None,
        endpoint_url: str | None = None,
        s3_addressing_style: str | None = None,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self._service = service
        # Keys of this adapter's own (R2 storage beside SES mail); None: the AWS chain.
        self._credentials = credentials
        self._dependency = dependency
        self._region = region
        self._endpoint_url = endpoint_url
        self._config = Config(
            connect_timeout=timeout_s,
            read_timeout=timeout_s,
            retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
            s3={"addressing_style": s3_addressing_style} if s3_addressing_style else None,
            signature_version="s3v4" if service == "s3" else None,
        )
        # botocore's timeouts are per connect and per read, and retries multiply them;
        # this outer bound caps the whole call, so nothing waits longer than it says.
        self._deadline_s = timeout_s * (MAX_ATTEMPTS + 1)
        self._stack = AsyncExitStack()
        self._client: Any = None
        self._lock = asyncio.Lock()

    async def _client_once(self) -> Any:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    session = (
                        aioboto3.Session(
                            aws_access_key_id=self._credentials[0],
                            aws_secret_access_key=self._credentials[1],
                        )
                        if self._credentials
                        else aioboto3.Session()
                    )
                    self._client = await self._stack.enter_async_context(
                        session.client(
                            self._service,
                            region_name=self._region,
                            endpoint_url=self._endpoint_url,
                            config=self._config,
                        )
                    )
        return self._client

    @asynccontextmanager
    async def call(self) -> AsyncIterator[Any]:
        """The client, for one bounded call; driver errors leave as ``DependencyUnavailable``.

        Callers catch the ``ClientError`` codes that mean something to them (a missing
        key) inside the block; any other one is the dependency failing.
        """
        try:
            async with asyncio.timeout(self._deadline_s):
                yield await self._client_once()
        except (BotoCoreError, ClientError, OSError, TimeoutError) as exc:
            raise DependencyUnavailable(self._dependency) from exc

    async def close(self) -> None:
        self._client = None
        await self._stack.aclose()


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
