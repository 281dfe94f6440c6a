"""The import records' repository (tenant-bound, ADMIN's)."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from fieldedge.domain.imports import Import


class ImportRepository(Protocol):
    async def get(self, import_id: UUID, *, lock: bool = False) -> Import | None: ...

    async def add(self, record: Import) -> None: ...

    async def save(self, record: Import) -> None: ...
