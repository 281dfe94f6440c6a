"""Visit photos in SQL: a visit's photos, and the reuse check by SHA-256 that flags the
same picture turning up on another visit of the company."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlmodel import select

from fieldedge.domain.photos import PhotoStatus, VisitPhoto
from fieldedge_adapters.sql.entities import EntityRepository
from fieldedge_adapters.sql.tables_fieldforce import VisitPhotoRow


class SqlPhotoRepository(EntityRepository[VisitPhoto, VisitPhotoRow]):
    model, row, noun = VisitPhoto, VisitPhotoRow, "Photo"
    soft_delete = False  # a photo lives and dies with its visit

    async def get(self, visit_id: UUID, photo_id: UUID) -> VisitPhoto | None:
        found = await self._first(
            select(VisitPhotoRow).where(
                *self._where(), self.c("id") == photo_id, self.c("visit_id") == visit_id
            )
        )
        return None if found is None else self._out(found)

    async def add(self, photo: VisitPhoto) -> VisitPhoto:
        return await self._add(photo)

    async def save(self, photo: VisitPhoto) -> VisitPhoto:
        return await self._save(photo)

    async def for_visit(self, visit_id: UUID) -> Sequence[VisitPhoto]:
        statement = (
            select(VisitPhotoRow)
            .where(*self._where(), self.c("visit_id") == visit_id)
            .order_by(self.c("id"))
        )
        return await self._many(statement)

    async def used_elsewhere(self, sha256: str, visit_id: UUID) -> bool:
        # Only READY photos count: a pending one's hash is not known yet (and NULL).
        found = await self._first(
            select(VisitPhotoRow).where(
                *self._where(),
                self.c("sha256") == sha256,
                self.c("status") == PhotoStatus.READY,
                self.c("visit_id") != visit_id,
            )
        )
        return found is not None
