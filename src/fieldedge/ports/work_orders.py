"""The checklist-template and work-order repositories. Tenant-bound; every role of the
company reads every work order (a technician sees a machine's whole history), so
nothing narrows by caller."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from fieldedge.domain.work_orders import (
    ChecklistTemplate,
    Priority,
    WorkOrder,
    WorkOrderKind,
    WorkOrderStatus,
)
from fieldedge.ports.records import Record


@dataclass(frozen=True, slots=True)
class WorkOrderQuery:
    after: UUID | None = None
    limit: int = 20
    status: WorkOrderStatus | None = None
    priority: Priority | None = None
    kind: WorkOrderKind | None = None
    site_id: UUID | None = None
    equipment_id: UUID | None = None
    assignee_id: UUID | None = None
    due_before: datetime | None = None  # overdue: due before this, not COMPLETED/CANCELLED
    newest_first: bool = False  # by id descending (ids are time-ordered); no ``after``


class ChecklistTemplateRepository(Protocol):
    async def get(
        self, template_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> ChecklistTemplate | None: ...

    async def add(self, template: ChecklistTemplate) -> None: ...

    async def save(self, template: ChecklistTemplate) -> None: ...

    async def list(self, after: UUID | None, limit: int) -> Sequence[Record]: ...


class WorkOrderRepository(Protocol):
    async def get(
        self, work_order_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> WorkOrder | None: ...

    async def add(self, work_order: WorkOrder) -> None: ...

    async def save(self, work_order: WorkOrder) -> None: ...

    async def list(self, query: WorkOrderQuery) -> Sequence[Record]: ...

    async def last_scheduled(self, schedule_id: UUID) -> Sequence[Record]:
        """Per machine, the work order of ``schedule_id`` with the highest occurrence."""
        ...
