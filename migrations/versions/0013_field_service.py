"""field service: customer sites (a tree under a contact), equipment, work orders

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03

Expand only: five new tables (sites, equipment_types, equipment, checklist_templates,
work_orders), synced like every field-force row (version, field
versions, tombstone column) under the same forced row-level security. ``sites`` is a
tree (``parent_id`` to the same table) under a contact; ``equipment.serial`` is unique
per company among live rows (``uq_equipment_company_id_serial``, partial).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SITES, TYPES, EQUIPMENT = "sites", "equipment_types", "equipment"
TEMPLATES, WORK_ORDERS = "checklist_templates", "work_orders"
_STATUSES = ("OPERATIONAL", "DEGRADED", "DOWN", "RETIRED")
_KINDS = ("CORRECTIVE", "PREVENTIVE", "INSTALLATION", "INSPECTION")
_PRIORITIES = ("LOW", "MEDIUM", "HIGH", "URGENT")
_WO_STATUSES = ("OPEN", "ASSIGNED", "IN_PROGRESS", "ON_HOLD", "COMPLETED", "CANCELLED")


def _enum(name: str, values: tuple[str, ...], type_name: str) -> sa.Column[str]:
    return sa.Column(
        name, sa.Enum(*values, name=type_name, native_enum=False, length=16), nullable=False
    )


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _synced(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("field_versions", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        _fk(table, "company_id", "companies"),
    ]


def _indexes(table: str, *columns: tuple[str, ...]) -> None:
    for names in (("id",), ("version",), *columns):
        op.create_index(f"ix_{table}_company_id_{'_'.join(names)}", table, ["company_id", *names])


def _isolate(table: str) -> None:
    check = (
        "company_id::text = current_setting('app.company_id', true) "
        "OR current_setting('app.system', true) = 'on'"
    )
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON {table} USING ({check}) WITH CHECK ({check})")


def upgrade() -> None:
    op.create_table(
        SITES,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("address", AutoString(length=500), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        *_synced(SITES),
        _fk(SITES, "contact_id", "contacts"),
        _fk(SITES, "parent_id", SITES),
    )
    _indexes(SITES, ("contact_id",), ("parent_id",), ("latitude", "longitude"))
    op.create_table(
        TYPES,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        *_synced(TYPES),
    )
    _indexes(TYPES)
    op.create_table(
        EQUIPMENT,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("type_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("make", AutoString(length=100), nullable=False),
        sa.Column("model", AutoString(length=100), nullable=False),
        sa.Column("serial", AutoString(length=100), nullable=False),
        sa.Column("install_date", sa.Date(), nullable=True),
        sa.Column("warranty_end", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(*_STATUSES, name="equipmentstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("status_reason", AutoString(length=500), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("status_log", sa.JSON(), nullable=False),
        *_synced(EQUIPMENT),
        _fk(EQUIPMENT, "type_id", TYPES),
        _fk(EQUIPMENT, "site_id", SITES),
    )
    live = sa.text("deleted_at IS NULL")
    op.create_index(
        "uq_equipment_company_id_serial",
        EQUIPMENT,
        ["company_id", "serial"],
        unique=True,
        sqlite_where=live,
        postgresql_where=live,
    )
    _indexes(EQUIPMENT, ("site_id",), ("type_id",), ("status",))
    op.create_table(
        TEMPLATES,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        *_synced(TEMPLATES),
    )
    _indexes(TEMPLATES)
    op.create_table(
        WORK_ORDERS,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("equipment_id", sa.Uuid(), nullable=True),
        _enum("kind", _KINDS, "workorderkind"),
        _enum("priority", _PRIORITIES, "priority"),
        sa.Column("title", AutoString(length=200), nullable=False),
        sa.Column("description", AutoString(length=2000), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        _enum("status", _WO_STATUSES, "workorderstatus"),
        sa.Column("hold_reason", AutoString(length=500), nullable=True),
        sa.Column("template_id", sa.Uuid(), nullable=True),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("comments", sa.JSON(), nullable=False),
        sa.Column("flagged_items", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("completed_by", sa.Uuid(), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        *_synced(WORK_ORDERS),
        _fk(WORK_ORDERS, "site_id", SITES),
        _fk(WORK_ORDERS, "equipment_id", EQUIPMENT),
        _fk(WORK_ORDERS, "template_id", TEMPLATES),
        *(_fk(WORK_ORDERS, c, "users") for c in ("assignee_id", "created_by", "completed_by")),
    )
    # (status, due_at) serves /overdue; (assignee_id, id) /mine; (equipment_id,
    # created_at) a machine's history.
    _indexes(
        WORK_ORDERS,
        ("status", "due_at"),
        ("assignee_id", "id"),
        ("site_id",),
        ("equipment_id", "created_at"),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in (SITES, TYPES, EQUIPMENT, TEMPLATES, WORK_ORDERS):
            _isolate(table)


def downgrade() -> None:
    for table in (WORK_ORDERS, TEMPLATES, EQUIPMENT, TYPES, SITES):
        op.drop_table(table)  # its indexes and policy go with it
