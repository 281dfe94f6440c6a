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
LINK_BATCH = 1000


async def link_chain(company_id: UUID | None, deps: Deps, *, max_batches: int = 100) -> int:
    """Link the chain's waiting entries (the tenant's; None: the platform's); how many."""
    scope = Scope.tenant(company_id) if company_id else Scope.system()
    total = 0
    for _ in range(max_batches):
        async with deps.db.unit_of_work(scope) as uow:
            linked = await uow.audit.link(limit=LINK_BATCH)
            await uow.commit()
        total += linked
        if linked < LINK_BATCH:
            break
    return total


async def link_all(deps: Deps, *, max_chains: int = 1000) -> dict[str, int]:
    """The linker's job: every chain with entries waiting (a schedule, the inline kick)."""
    async with deps.db.unit_of_work(Scope.system()) as uow:
        chains = list(await uow.audit.unlinked_chains(limit=max_chains))
    linked = 0
    for company_id in chains:
        linked += await link_chain(company_id, deps)
    return {"chains": len(chains), "linked": linked}


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
    await link_chain(principal.tenant, deps)  # the log shows every committed entry
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
    """Link what is waiting, then walk the tenant's whole chain in batches: (entries
    checked, problems found)."""
    await link_chain(company_id, deps)
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
        last_seq = last.seq if last.seq is not None else after
        prev_hash, next_seq, after = last.hash or "", last_seq + 1, last_seq
