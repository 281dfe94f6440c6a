"""Idempotency records in SQL, claimed with ``INSERT … ON CONFLICT DO NOTHING``.

The claim runs inside the request's transaction (see ``uow.request_transaction``): on
Postgres a concurrent duplicate's INSERT waits on the first one's uncommitted row, then
sees it committed (and replays it) or rolled back (and runs itself); the wait is bounded
by a transaction-local ``lock_timeout``, after which it is told IDEMPOTENCY_IN_PROGRESS.
On SQLite the request transaction holds the single write lock from its first statement,
so a duplicate simply runs after the first has committed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, update
from sqlalchemy import exc as sa_exc
from sqlmodel import col, select

from fieldedge.domain.idempotency import IdempotencyRecord, IdempotencyStatus
from fieldedge.errors import IdempotencyInProgress
from fieldedge_adapters.sql.errors import translated
from fieldedge_adapters.sql.scoped import ScopedRepository, detached
from fieldedge_adapters.sql.tables import IdempotencyRow

_LOCK_NOT_AVAILABLE = "55P03"


def _insert(dialect: str) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_nothing``."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if dialect == "postgresql" else sqlite.insert


class SqlIdempotencyRepository(ScopedRepository):
    async def claim(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        self._check_owned(record.company_id)
        connection = await self._session.connection()
        dialect = connection.dialect.name
        values = IdempotencyRow.model_validate(record.model_dump()).model_dump()
        statement = (
            _insert(dialect)(IdempotencyRow)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["user_id", "key"])
        )
        with translated():
            try:
                # Bounded by the request transaction's lock_timeout on Postgres.
                inserted = (await self._session.exec(statement)).rowcount == 1
            except sa_exc.DBAPIError as exc:
                if getattr(exc.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
                    raise IdempotencyInProgress() from exc
                raise
        if inserted:
            return None
        existing = await self._first(
            select(IdempotencyRow).where(
                col(IdempotencyRow.user_id) == record.user_id,
                col(IdempotencyRow.key) == record.key,
                *self._tenant(IdempotencyRow.company_id),
            )
        )
        if existing is None:  # another tenant's user id: cannot happen, refuse loudly
            raise RuntimeError("idempotency key held outside this tenant")
        if existing.expires_at <= record.created_at:  # expired: this request starts afresh
            with translated():
                await self._session.exec(
                    delete(IdempotencyRow).where(col(IdempotencyRow.id) == existing.id)
                )
                await self._session.exec(statement)
            return None
        return detached(IdempotencyRecord, existing)

    async def complete(
        self, record_id: UUID, *, status: int, headers: dict[str, str], body: bytes
    ) -> None:
        with translated():
            await self._session.exec(
                update(IdempotencyRow)
                .where(
                    col(IdempotencyRow.id) == record_id, *self._tenant(IdempotencyRow.company_id)
                )
                .values(
                    status=IdempotencyStatus.COMPLETED,
                    response_status=status,
                    response_headers=headers,
                    response_body=body,
                )
            )

    async def sweep(self, before: datetime) -> int:
        with translated():
            result = await self._session.exec(
                delete(IdempotencyRow).where(
                    col(IdempotencyRow.expires_at) < before,
                    *self._tenant(IdempotencyRow.company_id),
                )
            )
        return int(result.rowcount or 0)
