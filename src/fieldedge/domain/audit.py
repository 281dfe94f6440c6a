"""The per-tenant, append-only, hash-chained audit log.

Each entry stores the hash of the one before it in the same company (``seq`` counts up
from 1 without gaps), and its own hash over its content and that link; editing or
deleting any row breaks every hash after it, which ``verify_chain`` finds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlmodel import Field, SQLModel

GENESIS = "0" * 64


class AuditEntry(SQLModel):
    id: UUID = Field(primary_key=True)
    company_id: UUID = Field(index=True)
    seq: int
    at: datetime
    actor_id: UUID | None = None
    action: str = Field(max_length=64)  # e.g. auth.login, user.deactivated, order.approved
    entity: str | None = Field(default=None, max_length=32)
    entity_id: UUID | None = None
    detail: dict[str, Any] = Field(default_factory=dict)  # a JSON column in SQL
    ip: str | None = Field(default=None, max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


def entry_hash(
    *,
    company_id: UUID,
    seq: int,
    at: datetime,
    actor_id: UUID | None,
    action: str,
    entity: str | None,
    entity_id: UUID | None,
    detail: dict[str, Any],
    ip: str | None,
    prev_hash: str,
) -> str:
    """SHA-256 over a canonical JSON of the entry's content and its link to the previous one."""
    content = {
        "company_id": str(company_id),
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": str(actor_id) if actor_id else None,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id) if entity_id else None,
        "detail": detail,
        "ip": ip,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def rehash(entry: AuditEntry) -> str:
    return entry_hash(
        company_id=entry.company_id,
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        action=entry.action,
        entity=entry.entity,
        entity_id=entry.entity_id,
        detail=entry.detail,
        ip=entry.ip,
        prev_hash=entry.prev_hash,
    )


def verify_chain(
    entries: Iterable[AuditEntry], *, prev_hash: str = GENESIS, next_seq: int = 1
) -> list[str]:
    """Problems found walking the chain in ``seq`` order; an empty list means intact.

    ``prev_hash``/``next_seq`` continue a walk from an earlier batch.
    """
    problems: list[str] = []
    expected_prev, expected_seq = prev_hash, next_seq
    for entry in entries:
        if entry.seq != expected_seq:
            problems.append(f"seq {expected_seq}: missing (next found is {entry.seq})")
        if entry.prev_hash != expected_prev:
            problems.append(f"seq {entry.seq}: does not link to the entry before it")
        if rehash(entry) != entry.hash:
            problems.append(f"seq {entry.seq}: content does not match its hash")
        expected_prev, expected_seq = entry.hash, entry.seq + 1
    return problems
