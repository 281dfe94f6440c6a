"""attendance: a rep's working days; the company's end of day

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

Expand only. ``attendance_days`` holds one row per rep per local date (unique), synced
like every field-force row (version, field versions, tombstone column) and under the
same forced row-level security. ``companies.day_ends_at`` ("HH:MM", local) is when a day
left open is closed for the rep; existing companies get "23:59".
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

T = "attendance_days"


def _fk(column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{T}_{column}_{target}")
    )


def upgrade() -> None:
    with op.batch_alter_table("companies") as batch:
        batch.add_column(
            sa.Column("day_ends_at", AutoString(length=5), server_default="23:59", nullable=False)
        )
    op.create_table(
        T,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("punched_in_at", UTCDateTime(), nullable=False),
        sa.Column("in_latitude", sa.Float(), nullable=False),
        sa.Column("in_longitude", sa.Float(), nullable=False),
        sa.Column("in_accuracy_m", sa.Float(), nullable=False),
        sa.Column("punched_out_at", UTCDateTime(), nullable=True),
        sa.Column("out_latitude", sa.Float(), nullable=True),
        sa.Column("out_longitude", sa.Float(), nullable=True),
        sa.Column("out_accuracy_m", sa.Float(), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("worked_minutes", sa.Integer(), nullable=True),
        sa.Column("visit_count", sa.Integer(), nullable=True),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("last_latitude", sa.Float(), nullable=True),
        sa.Column("last_longitude", sa.Float(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("field_versions", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{T}")),
        _fk("company_id", "companies"),
        _fk("user_id", "users"),
        sa.UniqueConstraint("company_id", "user_id", "day", name=f"uq_{T}_company_id_user_id_day"),
    )
    for columns in (("id",), ("version",), ("day",)):
        op.create_index(f"ix_{T}_company_id_{'_'.join(columns)}", T, ["company_id", *columns])
    if op.get_bind().dialect.name == "postgresql":
        check = (
            "company_id::text = current_setting('app.company_id', true) "
            "OR current_setting('app.system', true) = 'on'"
        )
        op.execute(f"ALTER TABLE {T} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {T} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY tenant_isolation ON {T} USING ({check}) WITH CHECK ({check})")


def downgrade() -> None:
    op.drop_table(T)  # its indexes and policy go with it
    with op.batch_alter_table("companies") as batch:
        batch.drop_column("day_ends_at")
