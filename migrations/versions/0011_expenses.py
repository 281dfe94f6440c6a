"""expenses: a rep's expense claims; the company's travel rate; the punch-in selfie

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

Expand only. ``expense_claims`` holds a claim per row with its lines as JSON (as an
order holds its items), synced like every field-force row (version, field versions,
tombstone column) and under the same forced row-level security.
``companies.travel_rate_per_km`` (minor units a km, what a travel line computed from
attendance pays) starts at 0 for existing companies; ``attendance_days.selfie`` (the
punch-in selfie's stored reference, JSON) starts NULL.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

T = "expense_claims"
_STATUSES = ("DRAFT", "SUBMITTED", "APPROVED", "REJECTED", "REIMBURSED")
_BY_USERS = ("user_id", "approved_by", "rejected_by", "reimbursed_by")


def _fk(column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{T}_{column}_{target}")
    )


def upgrade() -> None:
    with op.batch_alter_table("companies") as batch:
        batch.add_column(
            sa.Column("travel_rate_per_km", sa.BigInteger(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("attendance_days") as batch:
        batch.add_column(sa.Column("selfie", sa.JSON(), nullable=True))
    op.create_table(
        T,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("title", AutoString(length=200), nullable=True),
        sa.Column("note", AutoString(length=2000), nullable=True),
        sa.Column(
            "status",
            sa.Enum(*_STATUSES, name="expensestatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("currency", AutoString(length=3), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("approved_by", sa.Uuid(), nullable=True),
        sa.Column("approved_at", UTCDateTime(), nullable=True),
        sa.Column("rejected_by", sa.Uuid(), nullable=True),
        sa.Column("rejected_at", UTCDateTime(), nullable=True),
        sa.Column("rejection_reason", AutoString(length=500), nullable=True),
        sa.Column("reimbursed_by", sa.Uuid(), nullable=True),
        sa.Column("reimbursed_at", UTCDateTime(), nullable=True),
        sa.Column("reimbursement_reference", AutoString(length=100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("field_versions", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{T}")),
        _fk("company_id", "companies"),
        *(_fk(column, "users") for column in _BY_USERS),
    )
    for columns in (("id",), ("version",), ("user_id", "id"), ("status",)):
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
    with op.batch_alter_table("attendance_days") as batch:
        batch.drop_column("selfie")
    with op.batch_alter_table("companies") as batch:
        batch.drop_column("travel_rate_per_km")
