"""The equipment-type and equipment repositories. Tenant-bound; every role of the
company reads every type and machine, so nothing narrows by caller."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from fieldedge.domain.equipment import Equipment, EquipmentStatus, EquipmentType
from fieldedge.ports.records import Record


@dataclass(frozen=True, slots=True)
class EquipmentQuery:
    after: UUID | None = None
    limit: int = 20
    site_id: UUID | None = None
    type_id: UUID | None = None
    status: EquipmentStatus | None = None
    serial: str | None = None  # exact: the QR-friendly lookup


class EquipmentTypeRepository(Protocol):
    async def get(
        self, type_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> EquipmentType | None: ...

    async def add(self, kind: EquipmentType) -> None: ...

    async def save(self, kind: EquipmentType) -> None: ...

    async def list(self, after: UUID | None, limit: int) -> Sequence[Record]: ...


class EquipmentRepository(Protocol):
    async def get(
        self, equipment_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Equipment | None: ...

    async def add(self, equipment: Equipment) -> None:
        """Refuses (409) a serial number live equipment of the company has."""
        ...

    async def save(self, equipment: Equipment) -> None:
        """As ``add`` when the serial number changed."""
        ...

    async def list(self, query: EquipmentQuery) -> Sequence[Record]: ...
