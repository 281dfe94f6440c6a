"""integrations: API keys

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-03

Expand only. ``api_keys`` holds a key per row: its scopes (JSON), the keyed hash of its
secret and of the secret before its last rotation (looked up by their non-secret
prefixes, unique across companies because a request names a key before its tenant is
known), under the same forced row-level security as every tenant table.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

T = "api_keys"


def upgrade() -> None:
    op.create_table(
        T,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("name", AutoString(length=100), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("prefix", AutoString(length=12), nullable=False),
        sa.Column("secret_hash", AutoString(length=64), nullable=False),
        sa.Column("previous_prefix", AutoString(length=12), nullable=True),
        sa.Column("previous_hash", AutoString(length=64), nullable=True),
        sa.Column("previous_expires_at", UTCDateTime(), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{T}")),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f(f"fk_{T}_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f(f"fk_{T}_created_by_users")
        ),
        sa.UniqueConstraint("prefix", name=op.f(f"uq_{T}_prefix")),
        sa.UniqueConstraint("previous_prefix", name=op.f(f"uq_{T}_previous_prefix")),
    )
    op.create_index(f"ix_{T}_company_id_id", T, ["company_id", "id"])
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
