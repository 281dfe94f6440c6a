"""The per-tenant, append-only, hash-chained audit log.

An entry is written in the transaction of the change it records, without a link: no
writer waits on the chain. A single linker per tenant then links committed entries in
order (``seq`` counts up from 1 without gaps), each storing the hash of the one before
it and its own hash over its content and that link; editing or deleting any linked row
breaks every hash after it, which ``verify_chain`` finds. Entries not linked yet have
``seq`` None; the linker runs seconds after a write, before every verification and
before the log is read.

Failed logins for an email no company knows are entries of the platform's own chain
(``company_id`` None), so a failed login does the same work whoever it names.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, Field

from fieldedge.domain.base import Entity

GENESIS = "0" * 64


class AuditEntry(Entity):
    id: UUID
    company_id: UUID | None = None  # None: the platform's chain
    at: AwareDatetime
    actor_id: UUID | None = None
    action: str = Field(max_length=64)  # e.g. auth.login, user.deactivated, order.approved
    entity: str | None = Field(default=None, max_length=32)
    entity_id: UUID | None = None
    detail: dict[str, Any] = Field(default_factory=dict)  # a JSON column in SQL
    ip: str | None = Field(default=None, max_length=64)
    # Set by the linker; None until then.
    seq: int | None = None
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)


def entry_hash(
    *,
    company_id: UUID | None,
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
        "company_id": str(company_id) if company_id else None,
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


def rehash(entry: AuditEntry) -> str | None:
    """The hash ``entry``'s content and link give (None while it is not linked)."""
    if entry.seq is None or entry.prev_hash is None:
        return None
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


def link(entries: Iterable[AuditEntry], *, seq: int, head: str) -> tuple[int, str]:
    """Link ``entries`` (in order) after the chain's ``seq`` and ``head``: each gets the
    next number, the previous hash and its own; the new (seq, head)."""
    for entry in entries:
        seq += 1
        entry.apply({"seq": seq, "prev_hash": head})
        entry.hash = head = rehash(entry) or GENESIS
    return seq, head


def verify_chain(
    entries: Iterable[AuditEntry], *, prev_hash: str = GENESIS, next_seq: int = 1
) -> list[str]:
    """Problems found walking the linked chain in ``seq`` order; empty means intact.

    ``prev_hash``/``next_seq`` continue a walk from an earlier batch.
    """
    problems: list[str] = []
    expected_prev, expected_seq = prev_hash, next_seq
    for entry in entries:
        seq = entry.seq if entry.seq is not None else expected_seq
        if entry.seq != expected_seq:
            problems.append(f"seq {expected_seq}: missing (next found is {entry.seq})")
        if entry.prev_hash != expected_prev:
            problems.append(f"seq {seq}: does not link to the entry before it")
        if rehash(entry) != entry.hash:
            problems.append(f"seq {seq}: content does not match its hash")
        expected_prev, expected_seq = entry.hash or "", seq + 1
    return problems
