"""API keys in memory: the same lookups as the SQL statements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from fieldedge.domain.api_keys import ApiKey

from .repo import MemoryRepository, page
from .store import API_KEYS


class MemoryApiKeyRepository(MemoryRepository[ApiKey]):
    table, model = API_KEYS, ApiKey
    soft_delete = False

    async def get(self, key_id: UUID, *, lock: bool = False) -> ApiKey | None:
        return await self._get(key_id, lock=lock)

    async def by_prefix(self, prefix: str) -> ApiKey | None:
        rows = await self._rows(lambda r: prefix in (r["prefix"], r["previous_prefix"]))
        return self._entity(rows[0]) if rows else None

    async def add(self, key: ApiKey) -> None:
        self._add(key)

    async def save(self, key: ApiKey) -> None:
        self._save(key)

    async def list(self, *, after: UUID | None, limit: int) -> Sequence[ApiKey]:
        return [self._entity(row) for row in page(await self._rows(), after=after, limit=limit)]

    async def touch(self, key_id: UUID, at: datetime) -> None:
        await self._set_where(lambda row: row["id"] == key_id, {"last_used_at": at})
