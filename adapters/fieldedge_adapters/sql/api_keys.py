"""API keys in SQL: by id, by a secret's prefix (system scope), a page by id, and the
``last_used_at`` touch (one UPDATE, not a read-modify-write)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.api_keys import ApiKey
from fieldedge_adapters.sql.repo import Repository, limit_param, shape, table_of, tenant_filter
from fieldedge_adapters.sql.tables_integrations import ApiKeyRow

T = table_of(ApiKeyRow)


@shape
def _by_prefix(tenant: bool) -> Any:
    named = sa.or_(T.c.prefix == sa.bindparam("p"), T.c.previous_prefix == sa.bindparam("p"))
    return sa.select(T).where(named, *tenant_filter(T, tenant)).limit(1)


@shape
def _list(after: bool, tenant: bool) -> Any:
    statement = sa.select(T).where(*tenant_filter(T, tenant))
    if after:
        statement = statement.where(T.c.id > sa.bindparam("after"))
    return statement.order_by(T.c.id).limit(limit_param())


@shape
def _touch(tenant: bool) -> Any:
    return (
        sa.update(T)
        .where(T.c.id == sa.bindparam("w_id"), *tenant_filter(T, tenant))
        .values(last_used_at=sa.bindparam("at"))
    )


class SqlApiKeyRepository(Repository[ApiKey]):
    table, model = T, ApiKey
    soft_delete = False  # a revoked key stays, with ``revoked_at``

    async def get(self, key_id: UUID, *, lock: bool = False) -> ApiKey | None:
        return await self._get(key_id, lock=lock)

    async def by_prefix(self, prefix: str) -> ApiKey | None:
        return await self._one(_by_prefix(self._tenant), p=prefix)

    async def add(self, key: ApiKey) -> None:
        self._add(key)

    async def save(self, key: ApiKey) -> None:
        self._save(key)

    async def list(self, *, after: UUID | None, limit: int) -> Sequence[ApiKey]:
        return await self._many(_list(after is not None, self._tenant), after=after, limit=limit)

    async def touch(self, key_id: UUID, at: datetime) -> None:
        await self._run(_touch(self._tenant), w_id=key_id, at=at)
