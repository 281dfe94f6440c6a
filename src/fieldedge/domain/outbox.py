"""Events written in the transaction that causes them, sent later by the dispatcher."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlmodel import Field, SQLModel


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class OutboxEvent(SQLModel):
    id: UUID = Field(primary_key=True)
    company_id: UUID | None = Field(default=None, index=True)
    kind: str = Field(max_length=32)  # email (webhooks later)
    # For email: {"template": "password_reset", "to": [...], "context": {...}}
    payload: dict[str, Any] = Field(default_factory=dict)  # a JSON column in SQL
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime
    lease_until: datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime
    sent_at: datetime | None = None
