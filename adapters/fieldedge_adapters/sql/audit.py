"""The per-tenant audit chain in SQL.

An append is serialised per tenant through the company row: one UPDATE takes its lock,
advances ``audit_seq`` and returns it with ``audit_head`` (the previous entry's hash, as
this UPDATE leaves it alone), so concurrent appenders queue and the chain never forks or
skips a number. The entry is written and the head moved to its hash before the lock is
released at commit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import uuid_utils
from sqlalchemy import update
from sqlmodel import col, select

from fieldedge.domain.audit import AuditEntry, entry_hash
from fieldedge.errors import NotFound
from fieldedge_adapters.sql.errors import translated
from fieldedge_adapters.sql.scoped import ScopedRepository, detached
from fieldedge_adapters.sql.tables import AuditRow, CompanyRow


def as_stored(detail: dict[str, Any] | None) -> dict[str, Any]:
    """The detail as the JSON column gives it back, so the hash taken now is the hash a
    verifier recomputes later (a UUID or datetime would otherwise read back as text)."""
    loaded: dict[str, Any] = json.loads(json.dumps(detail or {}, default=str))
    return loaded


class SqlAuditRepository(ScopedRepository):
    async def append(
        self,
        *,
        at: datetime,
        action: str,
        actor_id: UUID | None = None,
        entity: str | None = None,
        entity_id: UUID | None = None,
        detail: dict[str, Any] | None = None,
        ip: str | None = None,
    ) -> AuditEntry:
        company_id = self._scope.company_id
        if company_id is None:
            raise RuntimeError("the audit chain is per tenant; append in a tenant scope")
        seq, prev_hash = await self._advance(company_id)
        content: dict[str, Any] = dict(
            company_id=company_id,
            seq=seq,
            at=at,
            actor_id=actor_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=as_stored(detail),
            ip=ip,
            prev_hash=prev_hash,
        )
        entry = AuditEntry(
            id=UUID(bytes=uuid_utils.uuid7().bytes), hash=entry_hash(**content), **content
        )
        await self._insert(AuditRow.model_validate(entry.model_dump()))
        head = (
            update(CompanyRow)
            .where(col(CompanyRow.id) == company_id)
            .values(audit_head=entry.hash)
            .execution_options(synchronize_session=False)
        )
        with translated():
            await self._session.exec(head)
        return entry

    async def _advance(self, company_id: UUID) -> tuple[int, str]:
        statement = (
            update(CompanyRow)
            .where(col(CompanyRow.id) == company_id)
            .values(audit_seq=col(CompanyRow.audit_seq) + 1)
            .returning(col(CompanyRow.audit_seq), col(CompanyRow.audit_head))
            .execution_options(synchronize_session=False)
        )
        with translated():
            row = (await self._session.exec(statement)).one_or_none()
        if row is None:
            raise NotFound("Company not found.")
        return int(row[0]), str(row[1])

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
        statement = select(AuditRow).where(*self._tenant(AuditRow.company_id))
        for column, value in (
            (AuditRow.action, action),
            (AuditRow.actor_id, actor_id),
            (AuditRow.entity, entity),
            (AuditRow.entity_id, entity_id),
        ):
            if value is not None:
                statement = statement.where(col(column) == value)
        if before_seq is not None:
            statement = statement.where(col(AuditRow.seq) < before_seq)
        if since is not None:
            statement = statement.where(col(AuditRow.at) >= since)
        if until is not None:
            statement = statement.where(col(AuditRow.at) <= until)
        statement = statement.order_by(col(AuditRow.seq).desc()).limit(limit)
        return [detached(AuditEntry, row) for row in await self._all(statement)]

    async def chain(self, *, after_seq: int, limit: int) -> Sequence[AuditEntry]:
        statement = (
            select(AuditRow)
            .where(col(AuditRow.seq) > after_seq, *self._tenant(AuditRow.company_id))
            .order_by(col(AuditRow.seq))
            .limit(limit)
        )
        return [detached(AuditEntry, row) for row in await self._all(statement)]
