"""Import records in memory."""

from __future__ import annotations

from uuid import UUID

from fieldedge.domain.imports import Import

from .repo import MemoryRepository
from .store import IMPORTS


class MemoryImportRepository(MemoryRepository[Import]):
    table, model = IMPORTS, Import
    soft_delete = False

    async def get(self, import_id: UUID, *, lock: bool = False) -> Import | None:
        return await self._get(import_id, lock=lock)

    async def add(self, record: Import) -> None:
        self._add(record)

    async def save(self, record: Import) -> None:
        self._save(record)
