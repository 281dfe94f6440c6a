"""Webhooks: the endpoint and delivery-log repository (tenant-bound), and the sender
that makes the outbound POST (an adapter: resolving names and the HTTP client)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from fieldedge.domain.webhooks import WebhookDelivery, WebhookEndpoint


class WebhookRepository(Protocol):
    async def get(self, endpoint_id: UUID, *, lock: bool = False) -> WebhookEndpoint | None:
        """A live (not deleted) endpoint."""
        ...

    async def add(self, endpoint: WebhookEndpoint) -> None: ...

    async def save(self, endpoint: WebhookEndpoint) -> None: ...

    async def list(self, *, after: UUID | None, limit: int) -> Sequence[WebhookEndpoint]: ...

    async def subscribed(self, event_type: str) -> Sequence[WebhookEndpoint]:
        """Active endpoints that want ``event_type``: one read per unit of work (however
        many events it raises), in the write's transaction."""
        ...

    async def any_active(self) -> bool:
        """Whether the tenant has an active endpoint at all (the same one read as
        ``subscribed``, shared with it in a transaction)."""
        ...

    async def add_delivery(self, delivery: WebhookDelivery) -> None: ...

    async def delivery(self, delivery_id: UUID) -> WebhookDelivery | None: ...

    async def deliveries(
        self, endpoint_id: UUID, *, before: UUID | None, limit: int
    ) -> Sequence[WebhookDelivery]:
        """The endpoint's attempts, newest first, keyset by id."""
        ...


@dataclass(frozen=True, slots=True)
class SentWebhook:
    status: int
    latency_ms: int
    body: bytes  # at most the sender's cap


class WebhookFailed(Exception):
    """No answer: refused, reset, timed out, TLS failed, or the body ran past its cap."""

    def __init__(self, reason: str, latency_ms: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.latency_ms = latency_ms


class WebhookSender(Protocol):
    async def resolve(self, host: str, port: int) -> list[str]:
        """Every address ``host`` resolves to (an IP literal: itself); ``WebhookFailed``
        when it does not resolve."""
        ...

    async def post(
        self, url: str, *, address: str, headers: Mapping[str, str], body: bytes
    ) -> SentWebhook:
        """POST ``body`` to ``url`` connecting to ``address`` (checked by the caller, so a
        name cannot resolve elsewhere between the check and the connection). Bounded in
        time and in the bytes read; never follows a redirect. Raises ``WebhookFailed``."""
        ...

    async def close(self) -> None: ...
