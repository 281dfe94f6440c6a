"""Events written in the transaction that causes them, sent later by the dispatcher."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, Field

from fieldedge.domain.base import Entity


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class OutboxEvent(Entity):
    id: UUID
    company_id: UUID | None = None
    kind: str = Field(max_length=32)  # email, or a task (export, revoke)
    # For email: {"template": "password_reset", "to": [...], "context": {...}}
    payload: dict[str, Any] = Field(default_factory=dict)  # a JSON column in SQL
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    next_attempt_at: AwareDatetime
    lease_until: AwareDatetime | None = None
    last_error: str | None = Field(default=None, max_length=500)
    created_at: AwareDatetime
    sent_at: AwareDatetime | None = None
