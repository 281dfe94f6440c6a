"""imports: the bulk-import records

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-04

Expand only. ``imports`` holds one row per uploaded CSV (products or users): its
status, the counts of its per-row outcomes and how far its job got, under the same
forced row-level security as every tenant table. The file and its report are in object
storage, not here.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

T = "imports"
_CHECK = (
    "company_id::text = current_setting('app.company_id', true) "
    "OR current_setting('app.system', true) = 'on'"
)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=16)


def _fk(column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{T}_{column}_{target}")
    )


def upgrade() -> None:
    counts = ("rows", "created", "updated", "skipped", "errors", "done", "report_parts")
    op.create_table(
        T,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("kind", _enum("importkind", "products", "users"), nullable=False),
        sa.Column(
            "status", _enum("importstatus", "QUEUED", "RUNNING", "DONE", "FAILED"), nullable=False
        ),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("file_name", AutoString(length=200), nullable=False),
        sa.Column("file_key", AutoString(length=300), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in counts),
        sa.Column("message", AutoString(length=500), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{T}")),
        _fk("company_id", "companies"),
        _fk("created_by", "users"),
    )
    op.create_index(f"ix_{T}_company_id_id", T, ["company_id", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {T} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {T} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY tenant_isolation ON {T} USING ({_CHECK}) WITH CHECK ({_CHECK})")


def downgrade() -> None:
    op.drop_index(f"ix_{T}_company_id_id", table_name=T)
    op.drop_table(T)
