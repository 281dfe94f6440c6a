"""The maintenance-schedule repository. Tenant-bound; every role of the company reads
every schedule (a technician sees what is coming), so nothing narrows by caller."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from fieldedge.domain.maintenance import MaintenanceSchedule
from fieldedge.ports.records import Record


@dataclass(frozen=True, slots=True)
class ScheduleQuery:
    after: UUID | None = None
    limit: int = 20
    equipment_id: UUID | None = None
    equipment_type_id: UUID | None = None
    active: bool | None = None


class MaintenanceScheduleRepository(Protocol):
    async def get(
        self, schedule_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> MaintenanceSchedule | None: ...

    async def add(self, schedule: MaintenanceSchedule) -> None: ...

    async def save(self, schedule: MaintenanceSchedule) -> None: ...

    async def list(self, query: ScheduleQuery) -> Sequence[Record]: ...
