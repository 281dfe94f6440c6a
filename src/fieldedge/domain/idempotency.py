"""Idempotency records: a write's key, what the request was, and the response it got.

The record is written once, completed, in the same transaction as the write it guards,
so a retry after a crash between commit and response replays the committed response
instead of writing twice, and a crash before the commit leaves neither.
"""

from __future__ import annotations

import hashlib
import json
from uuid import UUID

from pydantic import AwareDatetime, Field

from fieldedge.domain.base import Entity

MAX_KEY_LENGTH = 255


class IdempotencyRecord(Entity):
    id: UUID
    company_id: UUID
    user_id: UUID
    key: str = Field(min_length=1, max_length=MAX_KEY_LENGTH)
    fingerprint: str = Field(max_length=64)
    response_status: int = Field(ge=100, le=599)
    response_headers: dict[str, str] = Field(default_factory=dict)  # a JSON column in SQL
    response_body: bytes = b""
    created_at: AwareDatetime
    expires_at: AwareDatetime


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
