"""Import records in SQL: by id, added, saved."""

from __future__ import annotations

from uuid import UUID

from fieldedge.domain.imports import Import
from fieldedge_adapters.sql.repo import Repository, table_of
from fieldedge_adapters.sql.tables_imports import ImportRow

T = table_of(ImportRow)


class SqlImportRepository(Repository[Import]):
    table, model = T, Import
    soft_delete = False

    async def get(self, import_id: UUID, *, lock: bool = False) -> Import | None:
        return await self._get(import_id, lock=lock)

    async def add(self, record: Import) -> None:
        self._add(record)

    async def save(self, record: Import) -> None:
        self._save(record)
