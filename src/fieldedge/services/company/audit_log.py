"""Read the audit log (ADMIN) and verify its hash chain (operators, via the CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.audit import GENESIS, AuditEntry, verify_chain
from fieldedge.errors import ValidationFailed
from fieldedge.ports.database import Scope
from fieldedge.services.deps import Deps
from fieldedge.services.pagination import Page, decode_cursor, encode_cursor

VERIFY_BATCH = 1000


@dataclass(frozen=True, slots=True)
class AuditFilter:
    action: str | None = None
    actor_id: UUID | None = None
    entity: str | None = None
    entity_id: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None


async def list_audit(
    principal: Principal, filters: AuditFilter, cursor: str | None, limit: int, deps: Deps
) -> Page[AuditEntry]:
    require(principal, Action.AUDIT_READ)
    position = decode_cursor(cursor)
    before = position.get("seq") if position else None
    # A cursor without a usable ``seq`` is forged: silently restarting at page one would
    # hand the client rows it already has, so it is refused like any other bad cursor.
    bad_seq = not isinstance(before, int) or isinstance(before, bool)
    if position is not None and bad_seq:
        raise ValidationFailed(details={"cursor": ["Not a cursor this API issued."]})
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        rows = await uow.audit.list(
            before_seq=before,
            limit=limit + 1,
            action=filters.action,
            actor_id=filters.actor_id,
            entity=filters.entity,
            entity_id=filters.entity_id,
            since=filters.since,
            until=filters.until,
        )
    items = rows[:limit]
    more = len(rows) > limit
    return Page(items, limit, encode_cursor({"seq": items[-1].seq}) if more and items else None)


async def verify_audit_chain(company_id: UUID, deps: Deps) -> tuple[int, list[str]]:
    """Walk the tenant's whole chain in batches: (entries checked, problems found)."""
    checked, problems = 0, list[str]()
    prev_hash, next_seq, after = GENESIS, 1, 0
    while True:
        async with deps.db.unit_of_work(Scope.tenant(company_id)) as uow:
            batch = list(await uow.audit.chain(after_seq=after, limit=VERIFY_BATCH))
        if not batch:
            return checked, problems
        problems += verify_chain(batch, prev_hash=prev_hash, next_seq=next_seq)
        checked += len(batch)
        last = batch[-1]
        prev_hash, next_seq, after = last.hash, last.seq + 1, last.seq
