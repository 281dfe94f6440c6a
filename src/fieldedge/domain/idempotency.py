"""Idempotency records: a write's key, what the request was, and the response it got.

The record commits in the same transaction as the write it guards, so a retry after a
crash between commit and response replays the committed response instead of writing
twice.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlmodel import Field, SQLModel

MAX_KEY_LENGTH = 255


class IdempotencyStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class IdempotencyRecord(SQLModel):
    id: UUID = Field(primary_key=True)
    company_id: UUID = Field(index=True)
    user_id: UUID
    key: str = Field(max_length=MAX_KEY_LENGTH)
    fingerprint: str = Field(max_length=64)
    status: IdempotencyStatus = IdempotencyStatus.IN_PROGRESS
    response_status: int | None = None
    response_headers: dict[str, str] = Field(default_factory=dict)  # a JSON column in SQL
    response_body: bytes | None = None
    created_at: datetime
    expires_at: datetime


def fingerprint(method: str, path: str, body: bytes) -> str:
    """Method + path + a canonical hash of the body: the same JSON with its keys in another
    order or other whitespace is the same request."""
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except (ValueError, UnicodeDecodeError, RecursionError):  # the route refuses it after
        canonical = body
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), hashlib.sha256(canonical).digest()):
        digest.update(len(part).to_bytes(4, "big") + part)
    return digest.hexdigest()
