"""The audit chains in SQL: entries written unlinked with each change, linked after.

``append`` queues the entry on the transaction (it is written with the commit, in the
stamping statement on Postgres): no writer waits on the chain. ``link`` is the single
linker of one chain: under a transaction-scoped advisory lock on Postgres (SQLite's
write lock serialises it there) it reads the chain's head (its last linked entry), the
committed unlinked entries oldest first, and writes each one's ``seq``, ``prev_hash``
and ``hash``. Two linkers never interleave on one chain, and an entry is linked once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.audit import GENESIS, AuditEntry, link
from fieldedge_adapters.sql.repo import Repository, limit_param, shape, table_of
from fieldedge_adapters.sql.tables import AuditRow

T = table_of(AuditRow)
_FILTERS = ("action", "actor_id", "entity", "entity_id")


def _chain(tenant: bool) -> Any:
    """This scope's chain: the tenant's, or (system scope) the platform's."""
    return T.c.company_id == sa.bindparam("cid") if tenant else T.c.company_id.is_(None)


@shape
def _list(before: bool, since: bool, until: bool, filters: tuple[str, ...], tenant: bool) -> Any:
    statement = sa.select(T).where(_chain(tenant), T.c.seq.is_not(None))
    for name in filters:
        statement = statement.where(T.c[name] == sa.bindparam(f"f_{name}"))
    if before:
        statement = statement.where(T.c.seq < sa.bindparam("before"))
    if since:
        statement = statement.where(T.c.at >= sa.bindparam("since"))
    if until:
        statement = statement.where(T.c.at <= sa.bindparam("until"))
    return statement.order_by(T.c.seq.desc()).limit(limit_param())


@shape
def _chain_page(tenant: bool) -> Any:
    return (
        sa.select(T)
        .where(_chain(tenant), T.c.seq > sa.bindparam("after"))
        .order_by(T.c.seq)
        .limit(limit_param())
    )


@shape
def _head(tenant: bool) -> Any:
    return (
        sa.select(T.c.seq, T.c.hash)
        .where(_chain(tenant), T.c.seq.is_not(None))
        .order_by(T.c.seq.desc())
        .limit(1)
    )


@shape
def _unlinked(tenant: bool) -> Any:
    return (
        sa.select(T).where(_chain(tenant), T.c.seq.is_(None)).order_by(T.c.id).limit(limit_param())
    )


@shape
def _set_link() -> Any:
    return (
        sa.update(T)
        .where(T.c.id == sa.bindparam("eid"), T.c.seq.is_(None))
        .values(
            seq=sa.bindparam("v_seq"), prev_hash=sa.bindparam("v_prev"), hash=sa.bindparam("v_hash")
        )
    )


@shape
def _chains(tenant: bool) -> Any:
    statement = sa.select(T.c.company_id).where(T.c.seq.is_(None))
    if tenant:
        statement = statement.where(T.c.company_id == sa.bindparam("cid"))
    return statement.group_by(T.c.company_id).limit(limit_param())


_LOCK = sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:chain, 7310))")


class SqlAuditRepository(Repository[AuditEntry]):
    table, model, soft_delete = T, AuditEntry, False

    async def append(self, entry: AuditEntry) -> None:
        self._check_owned(entry.company_id)
        self._txn.audit.append(entry)

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
        filters = tuple(name for name in _FILTERS if given[name] is not None)
        statement = _list(
            before_seq is not None, since is not None, until is not None, filters, self._tenant
        )
        params: dict[str, Any] = {f"f_{name}": given[name] for name in filters}
        return await self._many(
            statement, before=before_seq, since=since, until=until, limit=limit, **params
        )

    async def chain(self, *, after_seq: int, limit: int) -> Sequence[AuditEntry]:
        return await self._many(_chain_page(self._tenant), after=after_seq, limit=limit)

    async def link(self, *, limit: int) -> int:
        if self._txn.dialect == "postgresql":
            chain = str(self._scope.company_id or "platform")
            await self._txn.run(_LOCK, {"chain": chain})
        head = await self._rows(_head(self._tenant))
        seq, previous = (int(head[0]["seq"]), str(head[0]["hash"])) if head else (0, GENESIS)
        entries = await self._many(_unlinked(self._tenant), limit=limit)
        link(entries, seq=seq, head=previous)
        for entry in entries:
            await self._txn.run(
                _set_link(),
                {
                    "eid": entry.id,
                    "v_seq": entry.seq,
                    "v_prev": entry.prev_hash,
                    "v_hash": entry.hash,
                },
            )
        return len(entries)

    async def unlinked_chains(self, *, limit: int) -> Sequence[UUID | None]:
        return [row["company_id"] for row in await self._rows(_chains(self._tenant), limit=limit)]
