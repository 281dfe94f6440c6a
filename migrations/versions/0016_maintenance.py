"""maintenance schedules: preventive work orders made once per occurrence

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04

Expand only. A new synced table, ``maintenance_schedules`` (under the same forced
row-level security as every tenant table), and four nullable columns on ``work_orders``
naming the schedule occurrence a work order was made for. The unique index
``uq_work_orders_schedule_id_equipment_id_occurrence`` is what makes the scheduler's
insert-if-absent exact: two job runs at once, or one run twice, cannot make a second
work order for one (schedule, machine, occurrence); rows without a schedule are NULL
there and never clash. (schedule_id, equipment_id, occurrence) also serves the job's
read of each machine's latest occurrence.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

T, WORK_ORDERS = "maintenance_schedules", "work_orders"
UNIQUE = "uq_work_orders_schedule_id_equipment_id_occurrence"
_UNITS = ("DAYS", "WEEKS", "MONTHS", "METER")
_BASES = ("PLAN", "COMPLETION")
_PRIORITIES = ("LOW", "MEDIUM", "HIGH", "URGENT")


def _enum(name: str, values: tuple[str, ...], type_name: str) -> sa.Column[str]:
    return sa.Column(
        name, sa.Enum(*values, name=type_name, native_enum=False, length=16), nullable=False
    )


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        T,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("equipment_id", sa.Uuid(), nullable=True),
        sa.Column("equipment_type_id", sa.Uuid(), nullable=True),
        sa.Column("every", sa.Integer(), nullable=False),
        _enum("unit", _UNITS, "intervalunit"),
        sa.Column("meter", AutoString(length=60), nullable=True),
        sa.Column("lead", sa.Integer(), nullable=False),
        _enum("basis", _BASES, "duebasis"),
        sa.Column("first_due_on", sa.Date(), nullable=True),
        sa.Column("first_due_reading", sa.Float(), nullable=True),
        sa.Column("template_id", sa.Uuid(), nullable=True),
        _enum("priority", _PRIORITIES, "priority"),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("field_versions", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{T}")),
        _fk(T, "company_id", "companies"),
        _fk(T, "equipment_id", "equipment"),
        _fk(T, "equipment_type_id", "equipment_types"),
        _fk(T, "template_id", "checklist_templates"),
    )
    for names in (("id",), ("version",), ("equipment_id",), ("equipment_type_id",)):
        op.create_index(f"ix_{T}_company_id_{'_'.join(names)}", T, ["company_id", *names])
    with op.batch_alter_table(WORK_ORDERS) as batch:
        batch.add_column(sa.Column("schedule_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("occurrence", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("planned_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("planned_reading", sa.Float(), nullable=True))
        batch.create_foreign_key(
            op.f(f"fk_{WORK_ORDERS}_schedule_id_{T}"), T, ["schedule_id"], ["id"]
        )
    op.create_index(UNIQUE, WORK_ORDERS, ["schedule_id", "equipment_id", "occurrence"], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        check = (
            "company_id::text = current_setting('app.company_id', true) "
            "OR current_setting('app.system', true) = 'on'"
        )
        op.execute(f"ALTER TABLE {T} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {T} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY tenant_isolation ON {T} USING ({check}) WITH CHECK ({check})")


def downgrade() -> None:
    op.drop_index(UNIQUE, table_name=WORK_ORDERS)
    with op.batch_alter_table(WORK_ORDERS) as batch:
        batch.drop_constraint(op.f(f"fk_{WORK_ORDERS}_schedule_id_{T}"), type_="foreignkey")
        for column in ("planned_reading", "planned_on", "occurrence", "schedule_id"):
            batch.drop_column(column)
    op.drop_table(T)  # its indexes and policy go with it
