"""The audit chains in memory: entries written unlinked at commit, linked after.

A scope's chain is the tenant's entries, or in system scope the platform's own (company
NULL), as in SQL. ``link`` is the single linker of one chain: it holds the chain's lock
(Postgres' transaction-scoped advisory lock) until its transaction ends, reads the head
(the last linked entry) and the committed unlinked entries oldest by id first, and links
them with the domain's ``link``; two linkers never interleave on one chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from fieldedge.domain.audit import GENESIS, AuditEntry, link

from .repo import MemoryRepository, equals, where
from .store import AUDIT, Row


class MemoryAuditRepository(MemoryRepository[AuditEntry]):
    table, model, soft_delete = AUDIT, AuditEntry, False

    def _in_chain(self, row: Row) -> bool:
        return bool(row["company_id"] == self._scope.company_id)

    async def _chain_rows(self, *, linked: bool) -> list[Row]:
        return await self._rows(
            where(self._in_chain, lambda row: (row["seq"] is not None) == linked)
        )

    async def append(self, entry: AuditEntry) -> None:
        self._check_owned(entry.company_id)
        self._txn.writes += 1
        self._txn.audit.append(entry)  # written by commit, unlinked

    async def list(
        self,
        *,
        before_seq: int | None,
        limit: int,
        action: str | None = None,
        actor_id: UUID | None = None,
        entity: str | None = None,
        entity_id: UUID | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Sequence[AuditEntry]:
        given = {"action": action, "actor_id": actor_id, "entity": entity, "entity_id": entity_id}
        test = where(
            *(equals(name, value) for name, value in given.items() if value is not None),
            lambda row: before_seq is None or row["seq"] < before_seq,
            lambda row: since is None or row["at"] >= since,
            lambda row: until is None or row["at"] <= until,
        )
        rows = [row for row in await self._chain_rows(linked=True) if test(row)]
        rows.sort(key=lambda row: row["seq"], reverse=True)
        return [self._entity(row) for row in rows[: max(limit, 0)]]

    async def chain(self, *, after_seq: int, limit: int) -> Sequence[AuditEntry]:
        rows = [row for row in await self._chain_rows(linked=True) if row["seq"] > after_seq]
        rows.sort(key=lambda row: row["seq"])
        return [self._entity(row) for row in rows[: max(limit, 0)]]

    async def link(self, *, limit: int) -> int:
        await self._txn.lock((AUDIT, "chain", self._scope.company_id))
        linked = await self._chain_rows(linked=True)
        head = max(linked, key=lambda row: row["seq"], default=None)
        seq, previous = (int(head["seq"]), str(head["hash"])) if head else (0, GENESIS)
        waiting = sorted(await self._chain_rows(linked=False), key=lambda row: row["id"])
        entries = [self._entity(row) for row in waiting[: max(limit, 0)]]
        link(entries, seq=seq, head=previous)
        for entry in entries:
            await self._txn.change(
                self.table,
                entry.id,
                {"seq": entry.seq, "prev_hash": entry.prev_hash, "hash": entry.hash},
            )
        return len(entries)

    async def unlinked_chains(self, *, limit: int) -> Sequence[UUID | None]:
        waiting = {row["company_id"] for row in await self._rows(lambda r: r["seq"] is None)}
        chains = sorted(waiting, key=lambda company_id: str(company_id or ""))
        return chains[: max(limit, 0)]
