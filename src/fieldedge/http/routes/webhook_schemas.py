"""Wire shapes of ``/api/v1/webhooks``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from fieldedge.domain.webhooks import EVENT_TYPES, DeliveryStatus
from fieldedge.http.schemas import PatchModel, RequestModel, ResponseModel

EventType = Literal[
    "contact.created", "contact.updated", "contact.deleted", "order.created",
    "order.status_changed", "payment.recorded", "visit.checked_in",
    "attendance.punched_in", "attendance.punched_out",
]  # fmt: skip
Url = Annotated[str, StringConstraints(min_length=8, max_length=2000, pattern=r"^https?://\S+$")]
Status = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Z_]+$")]
Description = Annotated[str, StringConstraints(max_length=200)]
URL = "https:// (http:// outside production); never a loopback, private or metadata address."
EVENTS = "What to send: " + ", ".join(EVENT_TYPES) + "."
STATUSES = "Only events whose row has one of these statuses (e.g. an order's DELIVERED)."


class SubscribeBody(RequestModel):
    url: Url = Field(description=URL)
    event_types: list[EventType] = Field(
        min_length=1, max_length=len(EVENT_TYPES), description=EVENTS
    )
    statuses: list[Status] | None = Field(
        default=None, min_length=1, max_length=20, description=STATUSES
    )
    description: Description | None = None


class UpdateWebhookBody(PatchModel):
    url: Url | None = Field(default=None, description=URL)
    event_types: list[EventType] | None = Field(
        default=None, min_length=1, max_length=len(EVENT_TYPES)
    )
    statuses: list[Status] | None = Field(default=None, max_length=20, description=STATUSES)
    description: Description | None = None
    active: bool | None = Field(default=None, description="true turns a disabled endpoint back on.")


class RotateSecretBody(RequestModel):
    overlap_hours: int = Field(
        default=24, ge=0, le=168,
        description="How long the old secret signs too (0: it stops now; at most 7 days).",
    )  # fmt: skip


class WebhookOut(ResponseModel):
    id: UUID
    url: str
    description: str | None
    event_types: list[str]
    statuses: list[str] | None
    active: bool
    disabled_reason: str | None
    consecutive_failures: int
    previous_expires_at: datetime | None = Field(
        description="Until when the previous secret signs beside the current one."
    )
    created_by: UUID
    created_at: datetime
    updated_at: datetime


class WebhookSecretOut(WebhookOut):
    secret: str = Field(description="`whsec_…`: verify signatures with it; shown here only.")


class DeliveryOut(ResponseModel):
    id: UUID
    endpoint_id: UUID
    event_id: str
    event_type: str
    attempt: int
    status: DeliveryStatus
    response_status: int | None
    latency_ms: int
    error: str | None
    created_at: datetime


class RedeliveredOut(ResponseModel):
    id: str = Field(description="The event id (webhook-id) queued again.")
    type: str
    timestamp: str
    data: dict[str, Any]
