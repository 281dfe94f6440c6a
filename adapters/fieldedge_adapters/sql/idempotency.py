"""Idempotency records in SQL: looked up first, written once (completed) at the end.

The record is an ``INSERT … ON CONFLICT DO NOTHING`` in the request's transaction, after
the write it guards. On Postgres an insert that meets a concurrent duplicate's
uncommitted record waits for that transaction (within the request's ``lock_timeout``):
if it commits, this insert does nothing and the caller rolls its own work back and
replays the first response; if it rolls back, this one goes ahead. On SQLite the
request transaction holds the write lock from its first statement, so a duplicate
runs after the first has committed and finds its record up front.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.idempotency import IdempotencyRecord
from fieldedge.errors import IdempotencyInProgress
from fieldedge_adapters.sql.errors import LOCK_NOT_AVAILABLE, sqlstate
from fieldedge_adapters.sql.repo import Repository, shape, table_of, tenant_filter
from fieldedge_adapters.sql.tables import IdempotencyRow

T = table_of(IdempotencyRow)
_FIELDS = tuple(IdempotencyRecord.model_fields)


@shape
def _find(tenant: bool) -> Any:
    return sa.select(*(T.c[name] for name in _FIELDS)).where(
        T.c.user_id == sa.bindparam("user"),
        T.c.key == sa.bindparam("key"),
        T.c.expires_at > sa.bindparam("now"),
        *tenant_filter(T, tenant),
    )


@shape
def _insert(dialect: str) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {name: sa.bindparam(f"v_{name}", type_=T.c[name].type) for name in _FIELDS}
    statement = insert(T).values(status="completed", **values)
    # A live record of the key wins (nothing written, nothing returned); an expired one
    # is no replay any more and is replaced in the same statement.
    replace = {name: statement.excluded[name] for name in _FIELDS if name != "id"}
    return statement.on_conflict_do_update(
        index_elements=["user_id", "key"],
        set_={**replace, "id": statement.excluded.id},
        where=T.c.expires_at <= statement.excluded.created_at,
    ).returning(T.c.id)


@shape
def _sweep(tenant: bool) -> Any:
    return sa.delete(T).where(T.c.expires_at < sa.bindparam("before"), *tenant_filter(T, tenant))


class SqlIdempotencyRepository(Repository[IdempotencyRecord]):
    table, model, soft_delete = T, IdempotencyRecord, False

    async def find(self, user_id: UUID, key: str, *, now: datetime) -> IdempotencyRecord | None:
        return await self._one(_find(self._tenant), user=user_id, key=key, now=now)

    async def record(self, record: IdempotencyRecord) -> bool:
        self._check_owned(record.company_id)
        values = {f"v_{name}": value for name, value in record.values().items()}
        try:
            rows = await self._rows(_insert(self._txn.dialect), **values)
        except Exception as exc:
            if sqlstate(exc) == LOCK_NOT_AVAILABLE:  # the first one is taking too long
                raise IdempotencyInProgress() from exc
            raise
        return bool(rows)

    async def sweep(self, before: datetime) -> int:
        return await self._run(_sweep(self._tenant), before=before)
