"""field service: customer sites (a tree under a contact), equipment types, equipment

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-03

Expand only: three new tables, synced like every field-force row (version, field
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
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SITES, TYPES, EQUIPMENT = "sites", "equipment_types", "equipment"
_STATUSES = ("OPERATIONAL", "DEGRADED", "DOWN", "RETIRED")


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
    if op.get_bind().dialect.name == "postgresql":
        for table in (SITES, TYPES, EQUIPMENT):
            _isolate(table)


def downgrade() -> None:
    for table in (EQUIPMENT, TYPES, SITES):
        op.drop_table(table)  # its indexes and policy go with it
