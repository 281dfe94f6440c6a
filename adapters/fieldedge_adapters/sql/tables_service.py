"""The field-service tables: customer sites, equipment types, equipment, checklist
templates and work orders. Migration
0013 creates exactly these (a test compares the migrated schema with this metadata).

``sites.parent_id`` points at a row of the same table and tenant; an equipment type's
declared attributes and a machine's attribute values are JSON. The serial number is
unique per company among live equipment (a partial index, as products' SKU is).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from fieldedge.domain.equipment import EquipmentStatus
from fieldedge.domain.maintenance import DueBasis, IntervalUnit
from fieldedge.domain.work_orders import Priority, WorkOrderKind, WorkOrderStatus
from fieldedge_adapters.sql.tables import tenant, varchar_enum
from fieldedge_adapters.sql.tables_fieldforce import field_versions, ix, ref

# The predicates of migration 0017's partial indexes, written as the statements write
# theirs (``sql/equipment_health.py``, ``sql/work_orders.py``) so both planners match them.
OPEN_WHERE = "deleted_at IS NULL AND status IN ('OPEN', 'ASSIGNED', 'IN_PROGRESS', 'ON_HOLD')"
FAILURE_WHERE = "deleted_at IS NULL AND kind = 'CORRECTIVE'"


def _partial(name: str, columns: tuple[str, ...], where: str) -> sa.Index:
    clause = sa.text(where)
    return sa.Index(name, *columns, sqlite_where=clause, postgresql_where=clause)


class SiteRow(SQLModel, table=True):
    __tablename__ = "sites"
    __table_args__ = (
        ix("sites", "company_id", "id"),
        ix("sites", "company_id", "version"),  # sync pulls
        ix("sites", "company_id", "contact_id"),  # a contact's sites
        ix("sites", "company_id", "parent_id"),  # children; the ancestors' walk
        ix("sites", "company_id", "latitude", "longitude"),  # ?near= box
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    contact_id: UUID = ref("contacts.id")
    parent_id: UUID | None = ref("sites.id", nullable=True)
    name: str = Field(max_length=200)
    address: str | None = Field(default=None, max_length=500)
    latitude: float | None = None
    longitude: float | None = None
    version: int = 0
    field_versions: dict[str, int] = field_versions()
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None = None


class EquipmentTypeRow(SQLModel, table=True):
    __tablename__ = "equipment_types"
    __table_args__ = (
        ix("equipment_types", "company_id", "id"),
        ix("equipment_types", "company_id", "version"),  # sync pulls
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    name: str = Field(max_length=200)
    attributes: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    version: int = 0
    field_versions: dict[str, int] = field_versions()
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None = None


class EquipmentRow(SQLModel, table=True):
    __tablename__ = "equipment"
    __table_args__ = (
        # Partial: a deleted machine's serial is free again (its tombstone stays for sync).
        sa.Index(
            "uq_equipment_company_id_serial",
            "company_id",
            "serial",
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        ),
        ix("equipment", "company_id", "id"),
        ix("equipment", "company_id", "version"),  # sync pulls
        ix("equipment", "company_id", "site_id"),  # a site's machines
        ix("equipment", "company_id", "type_id"),
        ix("equipment", "company_id", "status"),
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    type_id: UUID = ref("equipment_types.id")
    site_id: UUID = ref("sites.id")
    make: str = Field(max_length=100)
    model: str = Field(max_length=100)
    serial: str = Field(max_length=100)
    install_date: dt.date | None = None
    warranty_end: dt.date | None = None
    status: EquipmentStatus = Field(
        default=EquipmentStatus.OPERATIONAL, sa_type=varchar_enum(EquipmentStatus)
    )
    status_reason: str | None = Field(default=None, max_length=500)
    attributes: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    status_log: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    version: int = 0
    field_versions: dict[str, int] = field_versions()
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None = None


class ChecklistTemplateRow(SQLModel, table=True):
    __tablename__ = "checklist_templates"
    __table_args__ = (
        ix("checklist_templates", "company_id", "id"),
        ix("checklist_templates", "company_id", "version"),  # sync pulls
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    name: str = Field(max_length=200)
    items: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    version: int = 0
    field_versions: dict[str, int] = field_versions()
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None = None


class WorkOrderRow(SQLModel, table=True):
    __tablename__ = "work_orders"
    __table_args__ = (
        ix("work_orders", "company_id", "id"),
        ix("work_orders", "company_id", "version"),  # sync pulls
        # /overdue: open statuses by due time, one range scan.
        ix("work_orders", "company_id", "status", "due_at"),
        ix("work_orders", "company_id", "assignee_id", "id"),  # /mine
        ix("work_orders", "company_id", "site_id"),
        ix("work_orders", "company_id", "equipment_id", "created_at"),  # a machine's history
        # Migration 0016: a schedule's occurrence is made once per machine, whoever runs
        # the job and however often (the insert-if-absent key; NULLs never clash).
        sa.Index(
            "uq_work_orders_schedule_id_equipment_id_occurrence",
            "schedule_id",
            "equipment_id",
            "occurrence",
            unique=True,
        ),
        # Migration 0017 (issue 13's speed): /overdue walks the open work orders in id
        # order and stops at a page; the health report reads each machine's failures
        # and the overdue preventive work from an index alone.
        _partial("ix_work_orders_open_id", ("company_id", "id", "due_at"), OPEN_WHERE),
        _partial(
            "ix_work_orders_failures",
            ("company_id", "equipment_id", "created_at", "status", "completed_at"),
            FAILURE_WHERE,
        ),
        ix("work_orders", "company_id", "kind", "status", "due_at"),
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    site_id: UUID = ref("sites.id")
    equipment_id: UUID | None = ref("equipment.id", nullable=True)
    kind: WorkOrderKind = Field(sa_type=varchar_enum(WorkOrderKind))
    priority: Priority = Field(sa_type=varchar_enum(Priority))
    title: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    due_at: dt.datetime | None = None
    assignee_id: UUID | None = ref("users.id", nullable=True)
    status: WorkOrderStatus = Field(sa_type=varchar_enum(WorkOrderStatus))
    hold_reason: str | None = Field(default=None, max_length=500)
    template_id: UUID | None = ref("checklist_templates.id", nullable=True)
    checklist: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    comments: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    flagged_items: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    # Migration 0017: the checked photos and PDFs (``domain.attachments``), at most 50.
    attachments: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    created_by: UUID | None = ref("users.id", nullable=True)
    started_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    completed_by: UUID | None = ref("users.id", nullable=True)
    cancelled_at: dt.datetime | None = None
    schedule_id: UUID | None = ref("maintenance_schedules.id", nullable=True)  # 0016
    occurrence: int | None = None
    planned_on: dt.date | None = None
    planned_reading: float | None = None
    version: int = 0
    field_versions: dict[str, int] = field_versions()
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None = None


class MaintenanceScheduleRow(SQLModel, table=True):
    """Migration 0016."""

    __tablename__ = "maintenance_schedules"
    __table_args__ = (
        ix("maintenance_schedules", "company_id", "id"),
        ix("maintenance_schedules", "company_id", "version"),  # sync pulls
        ix("maintenance_schedules", "company_id", "equipment_id"),
        ix("maintenance_schedules", "company_id", "equipment_type_id"),
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    name: str = Field(max_length=200)
    equipment_id: UUID | None = ref("equipment.id", nullable=True)
    equipment_type_id: UUID | None = ref("equipment_types.id", nullable=True)
    every: int
    unit: IntervalUnit = Field(sa_type=varchar_enum(IntervalUnit))
    meter: str | None = Field(default=None, max_length=60)
    lead: int = 0
    basis: DueBasis = Field(sa_type=varchar_enum(DueBasis))
    first_due_on: dt.date | None = None
    first_due_reading: float | None = None
    template_id: UUID | None = ref("checklist_templates.id", nullable=True)
    priority: Priority = Field(sa_type=varchar_enum(Priority))
    active: bool = True
    version: int = 0
    field_versions: dict[str, int] = field_versions()
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None = None
