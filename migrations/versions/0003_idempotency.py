"""idempotency keys: a write's key, request fingerprint and the response it got

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Kept 24 h (a sweep deletes expired rows). On Postgres the table gets the same tenant
row-level security as every other tenant table.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "idempotency_keys"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", AutoString(length=255), nullable=False),
        sa.Column("fingerprint", AutoString(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "in_progress", "completed", name="idempotencystatus", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_headers", sa.JSON(), nullable=False),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_idempotency_keys_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_idempotency_keys_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),
    )
    op.create_index(op.f("ix_idempotency_keys_company_id"), TABLE, ["company_id"])
    op.create_index("ix_idempotency_keys_expires_at", TABLE, ["expires_at"])
    if op.get_bind().dialect.name == "postgresql":
        check = (
            "company_id::text = current_setting('app.company_id', true) "
            "OR current_setting('app.system', true) = 'on'"
        )
        op.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {TABLE} USING ({check}) WITH CHECK ({check})"
        )


def downgrade() -> None:
    op.drop_table(TABLE)  # its indexes and policy go with it
