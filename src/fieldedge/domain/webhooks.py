"""Webhooks: HTTPS endpoints an ADMIN subscribes to the company's events, and the log of
every attempt to deliver one.

An endpoint names the event types it wants and, optionally, the statuses of the rows
it cares about (``statuses``: an order.status_changed to DELIVERED only). Its secret
(``whsec_`` + base64 of 24 random bytes, the Standard Webhooks form) signs each
delivery; after a rotation the previous secret signs too until ``previous_expires_at``,
so a receiver can switch without a gap. The secret must be kept in the clear: the
server signs with it (a hash would not do); it is shown on create and rotate only.

Where an endpoint may point is decided here (``url_refusal``, ``address_refusal``): never
to loopback, private, link-local (the cloud metadata service), multicast or reserved
addresses, unless a deployment allows loopback (the tests' receiver).
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit
from uuid import UUID

from pydantic import AwareDatetime, BeforeValidator, Field, StringConstraints

from fieldedge.domain.base import Entity
from fieldedge.errors import ValidationFailed

# The events a company's writes raise (``services.webhooks.emit``), and the ping.
EVENT_TYPES = (
    "contact.created", "contact.updated", "contact.deleted",
    "order.created", "order.status_changed",
    "payment.recorded",
    "visit.checked_in",
    "attendance.punched_in", "attendance.punched_out",
    "work_order.created", "work_order.status_changed", "work_order.completed",
    "expense.submitted", "expense.approved", "expense.rejected", "expense.reimbursed",
)  # fmt: skip
PING = "webhook.ping"
MAX_OVERLAP = timedelta(days=7)
# Attempts of one delivery before it is dead; the delays between them (``backoff``)
# add up to about a day.
MAX_ATTEMPTS = 8


def _event_types(value: object) -> object:
    if not isinstance(value, list | tuple):
        return value
    unknown = sorted({str(v) for v in value} - set(EVENT_TYPES))
    if unknown:
        raise ValidationFailed(details={"eventTypes": [f"Unknown: {', '.join(unknown)}."]})
    if not value:
        raise ValidationFailed(details={"eventTypes": ["At least one event type."]})
    return sorted(set(value))


EventTypes = Annotated[list[str], BeforeValidator(_event_types)]
Status = Annotated[str, StringConstraints(min_length=1, max_length=32)]


def url_refusal(url: str, *, allow_http: bool) -> str | None:
    """Why ``url`` cannot be an endpoint (None: it may, once its addresses pass)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "Not a URL."
    if parts.scheme not in (("https", "http") if allow_http else ("https",)):
        return "Must be an https:// URL."
    if not parts.hostname:
        return "Must name a host."
    if parts.username is not None or parts.password is not None:
        return "Must not carry credentials; the signature authenticates the sender."
    if port == 0:
        return "Not a usable port."
    return None


def address_refusal(address: str, *, allow_loopback: bool = False) -> str | None:
    """Why fieldedge must not connect to ``address`` (an IP), or None."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "Not an IP address."
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if ip.is_loopback:
        return None if allow_loopback else "Resolves to a loopback address."
    if ip.is_link_local:
        return "Resolves to a link-local address (the cloud metadata service lives there)."
    if ip.is_private or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
        return "Resolves to a private or reserved address."
    if not ip.is_global:
        return "Resolves to an address that is not public."
    return None


class WebhookEndpoint(Entity):
    id: UUID
    company_id: UUID
    url: Annotated[str, StringConstraints(min_length=8, max_length=2000)]
    description: str | None = Field(default=None, max_length=200)
    event_types: EventTypes
    # Only events whose row has one of these statuses (orders); None: every event.
    statuses: list[Status] | None = None
    secret: str = Field(min_length=38, max_length=64)
    previous_secret: str | None = Field(default=None, max_length=64)
    previous_expires_at: AwareDatetime | None = None
    active: bool = True
    disabled_reason: str | None = Field(default=None, max_length=200)
    consecutive_failures: int = Field(default=0, ge=0)
    created_by: UUID
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted_at: AwareDatetime | None = None

    def wants(self, event_type: str, data: dict[str, Any]) -> bool:
        if not self.active or event_type not in self.event_types:
            return False
        return self.statuses is None or data.get("status") in self.statuses

    def secrets(self, now: datetime) -> list[str]:
        """The secrets that sign a delivery at ``now``: the current one, and the previous
        one while its overlap lasts."""
        previous = self.previous_secret
        if previous and self.previous_expires_at is not None and now < self.previous_expires_at:
            return [self.secret, previous]
        return [self.secret]

    def rotate(self, secret: str, overlap: timedelta, now: datetime) -> None:
        if overlap < timedelta(0) or overlap > MAX_OVERLAP:
            raise ValidationFailed(details={"overlapHours": ["Between 0 and 168 hours."]})
        self.apply(
            {
                "previous_secret": self.secret if overlap else None,
                "previous_expires_at": now + overlap if overlap else None,
                "secret": secret,
                "updated_at": now,
            }
        )

    def delivered(self, now: datetime) -> None:
        if self.consecutive_failures:
            self.apply({"consecutive_failures": 0, "updated_at": now})

    def failed(self, now: datetime, *, dead: bool) -> bool:
        """Count a failed attempt; True when this one disables the endpoint: a delivery
        died (a day of retries) with no success since its first attempt."""
        failures = self.consecutive_failures + 1
        disable = dead and self.active and failures >= MAX_ATTEMPTS
        changes: dict[str, Any] = {"consecutive_failures": failures, "updated_at": now}
        if disable:
            changes |= {"active": False, "disabled_reason": "Deliveries failed for a day."}
        self.apply(changes)
        return disable


class DeliveryStatus(StrEnum):
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"  # to be retried
    DEAD = "DEAD"  # the last attempt failed


class WebhookDelivery(Entity):
    """One attempt to deliver one event to one endpoint."""

    id: UUID
    company_id: UUID
    endpoint_id: UUID
    event_id: str = Field(max_length=64)  # ``webhook-id``: the same on every attempt
    event_type: str = Field(max_length=64)
    event: dict[str, Any]  # the body sent, kept for redelivery
    attempt: int = Field(ge=1)
    status: DeliveryStatus
    response_status: int | None = None
    latency_ms: int = Field(ge=0)
    error: str | None = Field(default=None, max_length=300)
    created_at: AwareDatetime
