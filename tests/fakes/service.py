"""The field-service repositories in memory (sites, equipment types, equipment, checklist
templates, work orders): the same filters as ``sql/sites.py``, ``sql/equipment.py`` and
``sql/work_orders.py``, and the live-serial rule."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from fieldedge.domain.equipment import SERIAL_TAKEN, Equipment, EquipmentType
from fieldedge.domain.maintenance import MaintenanceSchedule
from fieldedge.domain.sites import Site
from fieldedge.domain.work_orders import (
    FINAL,
    ChecklistTemplate,
    WorkOrder,
    WorkOrderKind,
    WorkOrderStatus,
)
from fieldedge.errors import Conflict
from fieldedge.ports.equipment import EquipmentQuery
from fieldedge.ports.maintenance import ScheduleQuery
from fieldedge.ports.records import Record
from fieldedge.ports.sites import SiteQuery
from fieldedge.ports.work_orders import HealthGroup, WorkOrderQuery

from .repo import MemoryRepository, contains_text, equals, where
from .store import EQUIPMENT, EQUIPMENT_TYPES, SCHEDULES, SITES, TEMPLATES, WORK_ORDERS, Row


def _in_box(query: SiteQuery, row: Row) -> bool:
    box = query.box
    if box is None:
        return True
    lat, lng = row["latitude"], row["longitude"]
    if lat is None or lng is None:
        return False
    return box.min_lat <= lat <= box.max_lat and any(lo <= lng <= hi for lo, hi in box.lng_ranges)


class MemorySiteRepository(MemoryRepository[Site]):
    table, model = SITES, Site

    async def get(
        self, site_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Site | None:
        return await self._get(site_id, include_deleted=include_deleted, lock=lock)

    async def add(self, site: Site) -> None:
        self._add(site)

    async def save(self, site: Site) -> None:
        self._save(site)

    async def list(self, query: SiteQuery) -> Sequence[Record]:
        def matches(row: Row) -> bool:
            return (
                (query.contact_id is None or row["contact_id"] == query.contact_id)
                and (query.parent_id is None or row["parent_id"] == query.parent_id)
                and (query.root is None or (row["parent_id"] is None) == query.root)
                and (not query.q or contains_text(query.q, row["name"], row["address"]))
                and _in_box(query, row)
            )

        rows = await self._list(matches, after=query.after, limit=query.limit)
        return [self._record(row) for row in rows]

    async def has_children(self, site_id: UUID) -> bool:
        return bool(await self._rows(where(self._live, equals("parent_id", site_id))))


class MemoryEquipmentTypeRepository(MemoryRepository[EquipmentType]):
    table, model = EQUIPMENT_TYPES, EquipmentType

    async def get(
        self, type_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> EquipmentType | None:
        return await self._get(type_id, include_deleted=include_deleted, lock=lock)

    async def add(self, kind: EquipmentType) -> None:
        self._add(kind)

    async def save(self, kind: EquipmentType) -> None:
        self._save(kind)

    async def list(self, after: UUID | None, limit: int) -> Sequence[Record]:
        rows = await self._list(lambda row: True, after=after, limit=limit)
        return [self._record(row) for row in rows]


class MemoryEquipmentRepository(MemoryRepository[Equipment]):
    table, model = EQUIPMENT, Equipment

    async def get(
        self, equipment_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Equipment | None:
        return await self._get(equipment_id, include_deleted=include_deleted, lock=lock)

    async def _check_serial(self, equipment: Equipment) -> None:
        taken = await self._rows(
            where(
                self._live,
                equals("serial", equipment.serial),
                lambda row: row["id"] != equipment.id,
            )
        )
        if taken and equipment.deleted_at is None:
            raise Conflict(SERIAL_TAKEN)

    async def add(self, equipment: Equipment) -> None:
        await self._check_serial(equipment)
        self._add(equipment)

    async def save(self, equipment: Equipment) -> None:
        if "serial" in equipment.changes():
            await self._check_serial(equipment)
        self._save(equipment)

    async def list(self, query: EquipmentQuery) -> Sequence[Record]:
        def matches(row: Row) -> bool:
            return (
                (query.site_id is None or row["site_id"] == query.site_id)
                and (query.type_id is None or row["type_id"] == query.type_id)
                and (query.status is None or row["status"] == query.status)
                and (query.serial is None or row["serial"] == query.serial)
            )

        rows = await self._list(matches, after=query.after, limit=query.limit)
        return [self._record(row) for row in rows]


class MemoryChecklistTemplateRepository(MemoryRepository[ChecklistTemplate]):
    table, model = TEMPLATES, ChecklistTemplate

    async def get(
        self, template_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> ChecklistTemplate | None:
        return await self._get(template_id, include_deleted=include_deleted, lock=lock)

    async def add(self, template: ChecklistTemplate) -> None:
        self._add(template)

    async def save(self, template: ChecklistTemplate) -> None:
        self._save(template)

    async def list(self, after: UUID | None, limit: int) -> Sequence[Record]:
        rows = await self._list(lambda row: True, after=after, limit=limit)
        return [self._record(row) for row in rows]


S = WorkOrderStatus
_FILTERS = ("status", "priority", "kind", "site_id", "equipment_id", "assignee_id")


class MemoryWorkOrderRepository(MemoryRepository[WorkOrder]):
    table, model = WORK_ORDERS, WorkOrder

    async def get(
        self, work_order_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> WorkOrder | None:
        return await self._get(work_order_id, include_deleted=include_deleted, lock=lock)

    async def add(self, work_order: WorkOrder) -> None:
        self._add(work_order)

    async def save(self, work_order: WorkOrder) -> None:
        self._save(work_order)

    async def list(self, query: WorkOrderQuery) -> Sequence[Record]:
        due = query.due_before

        def matches(row: Row) -> bool:
            for name in _FILTERS:
                wanted = getattr(query, name)
                if wanted is not None and row[name] != wanted:
                    return False
            if due is None:
                return True
            return row["status"] not in FINAL and row["due_at"] is not None and row["due_at"] < due

        if query.newest_first:
            rows = sorted(await self._rows(where(self._live, matches)), key=lambda r: r["id"])
            return [self._record(row) for row in reversed(rows)][: query.limit]
        rows = await self._list(matches, after=query.after, limit=query.limit)
        return [self._record(row) for row in rows]

    async def last_scheduled(self, schedule_id: UUID) -> Sequence[Record]:
        latest: dict[UUID | None, Row] = {}
        for row in await self._rows(lambda row: row.get("schedule_id") == schedule_id):
            held = latest.get(row["equipment_id"])
            if held is None or row["occurrence"] > held["occurrence"]:
                latest[row["equipment_id"]] = row
        return [self._record(row) for _, row in sorted(latest.items(), key=lambda i: str(i[0]))]

    async def health(
        self, now: datetime, assignees: Collection[UUID] | None
    ) -> Sequence[HealthGroup]:
        return await _health(self, now, assignees)


async def _health(
    repo: MemoryWorkOrderRepository, now: datetime, assignees: Collection[UUID] | None
) -> list[HealthGroup]:
    """The same sums as ``sql/equipment_health.py``, over the scope's rows in Python."""
    machines = {r["id"]: r for r in await repo._txn.rows(EQUIPMENT) if r["deleted_at"] is None}
    sites = {r["id"]: r["name"] for r in await repo._txn.rows(SITES)}
    types = {r["id"]: r["name"] for r in await repo._txn.rows(EQUIPMENT_TYPES)}
    orders = [
        r for r in await repo._rows(repo._live)
        if assignees is None or r["assignee_id"] in assignees
    ]  # fmt: skip
    groups: dict[tuple[str, UUID | None], dict[str, Any]] = {("all", None): dict.fromkeys(_SUMS, 0)}

    def add(site_id: UUID, type_id: UUID | None, **values: Any) -> None:
        keys = [("site", site_id), ("all", None)] + ([("type", type_id)] if type_id else [])
        for key in keys:
            sums = groups.setdefault(key, dict.fromkeys(_SUMS, 0))
            for name, value in values.items():
                sums[name] += value

    for machine in machines.values():
        failed = sorted(
            (r for r in orders if r["equipment_id"] == machine["id"]
             and r["kind"] == WorkOrderKind.CORRECTIVE and r["status"] != S.CANCELLED),
            key=lambda r: r["created_at"],
        )  # fmt: skip
        repaired = [r for r in failed if r["status"] == S.COMPLETED]
        several = len(failed) > 1
        span = (failed[-1]["created_at"] - failed[0]["created_at"]) if several else timedelta()
        add(machine["site_id"], machine["type_id"], machines=1,
            **{machine["status"].lower(): 1}, failures=len(failed),
            gaps=len(failed) - 1 if several else 0, gap_seconds=span.total_seconds(),
            repairs=len(repaired),
            repair_seconds=sum((r["completed_at"] - r["created_at"]).total_seconds()
                               for r in repaired))  # fmt: skip
    for r in orders:
        if (r["kind"] == WorkOrderKind.PREVENTIVE and r["status"] not in FINAL
                and r["due_at"] is not None and r["due_at"] < now):  # fmt: skip
            machine = machines.get(r["equipment_id"])
            add(r["site_id"], machine["type_id"] if machine else None, overdue_preventive=1)
    return [
        HealthGroup(dimension=dim, key=key, name=None if key is None else
                    (sites if dim == "site" else types).get(key), **sums)
        for (dim, key), sums in groups.items()
        if dim != "site" or key in sites
    ]  # fmt: skip


_SUMS = ("machines", "operational", "degraded", "down", "retired", "failures", "gaps",
         "gap_seconds", "repairs", "repair_seconds", "overdue_preventive")  # fmt: skip


_SCHEDULE_FILTERS = ("equipment_id", "equipment_type_id", "active")


class MemoryMaintenanceScheduleRepository(MemoryRepository[MaintenanceSchedule]):
    table, model = SCHEDULES, MaintenanceSchedule

    async def get(
        self, schedule_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> MaintenanceSchedule | None:
        return await self._get(schedule_id, include_deleted=include_deleted, lock=lock)

    async def add(self, schedule: MaintenanceSchedule) -> None:
        self._add(schedule)

    async def save(self, schedule: MaintenanceSchedule) -> None:
        self._save(schedule)

    async def list(self, query: ScheduleQuery) -> Sequence[Record]:
        def matches(row: Row) -> bool:
            return all(
                getattr(query, name) is None or row[name] == getattr(query, name)
                for name in _SCHEDULE_FILTERS
            )

        rows = await self._list(matches, after=query.after, limit=query.limit)
        return [self._record(row) for row in rows]
