"""Visit photos in SQL: a visit's photos, and the reuse check by SHA-256 that flags the
same picture turning up on another visit of the company."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.photos import PhotoStatus, VisitPhoto
from fieldedge_adapters.sql.repo import Repository, shape, table_of, tenant_filter
from fieldedge_adapters.sql.tables_fieldforce import VisitPhotoRow

T = table_of(VisitPhotoRow)


@shape
def _get(tenant: bool) -> Any:
    return sa.select(T).where(
        *tenant_filter(T, tenant),
        T.c.id == sa.bindparam("id"),
        T.c.visit_id == sa.bindparam("visit"),
    )


@shape
def _for_visit(tenant: bool) -> Any:
    return (
        sa.select(T)
        .where(*tenant_filter(T, tenant), T.c.visit_id == sa.bindparam("visit"))
        .order_by(T.c.id)
    )


@shape
def _elsewhere(tenant: bool) -> Any:
    # Only READY photos count: a pending one's hash is not known yet (and NULL).
    return (
        sa.select(T.c.id)
        .where(
            *tenant_filter(T, tenant),
            T.c.sha256 == sa.bindparam("sha256"),
            T.c.status == PhotoStatus.READY.value,
            T.c.visit_id != sa.bindparam("visit"),
        )
        .limit(1)
    )


class SqlPhotoRepository(Repository[VisitPhoto]):
    table, model, soft_delete = T, VisitPhoto, False  # a photo lives and dies with its visit

    async def get(self, visit_id: UUID, photo_id: UUID) -> VisitPhoto | None:
        return await self._one(_get(self._tenant), id=photo_id, visit=visit_id)

    async def add(self, photo: VisitPhoto) -> None:
        self._add(photo)

    async def save(self, photo: VisitPhoto) -> None:
        self._save(photo)

    async def for_visit(self, visit_id: UUID) -> Sequence[VisitPhoto]:
        return await self._many(_for_visit(self._tenant), visit=visit_id)

    async def used_elsewhere(self, sha256: str, visit_id: UUID) -> bool:
        return bool(await self._rows(_elsewhere(self._tenant), sha256=sha256, visit=visit_id))
