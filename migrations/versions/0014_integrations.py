"""integrations: API keys, webhook endpoints and their delivery log

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

Expand only. ``api_keys`` holds a key per row: its scopes (JSON), the keyed hash of its
secret and of the secret before its last rotation (looked up by their non-secret
prefixes, unique across companies because a request names a key before its tenant is
known), under the same forced row-level security as every tenant table.
``webhook_endpoints`` (an ADMIN's subscriptions: URL, event types, signing secrets) and
``webhook_deliveries`` (one row per attempt) are tenant tables like it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

T = "api_keys"
E, D = "webhook_endpoints", "webhook_deliveries"
_CHECK = (
    "company_id::text = current_setting('app.company_id', true) "
    "OR current_setting('app.system', true) = 'on'"
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
        _fk(T, "company_id", "companies"),
        _fk(T, "created_by", "users"),
        sa.UniqueConstraint("prefix", name=op.f(f"uq_{T}_prefix")),
        sa.UniqueConstraint("previous_prefix", name=op.f(f"uq_{T}_previous_prefix")),
    )
    op.create_index(f"ix_{T}_company_id_id", T, ["company_id", "id"])
    op.create_table(
        E,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("url", AutoString(length=2000), nullable=False),
        sa.Column("description", AutoString(length=200), nullable=True),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("statuses", sa.JSON(), nullable=True),
        sa.Column("secret", AutoString(length=64), nullable=False),
        sa.Column("previous_secret", AutoString(length=64), nullable=True),
        sa.Column("previous_expires_at", UTCDateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", AutoString(length=200), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{E}")),
        _fk(E, "company_id", "companies"),
        _fk(E, "created_by", "users"),
    )
    op.create_index(f"ix_{E}_company_id_id", E, ["company_id", "id"])
    op.create_table(
        D,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("endpoint_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", AutoString(length=64), nullable=False),
        sa.Column("event_type", AutoString(length=64), nullable=False),
        sa.Column("event", sa.JSON(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("DELIVERED", "FAILED", "DEAD", name="deliverystatus", native_enum=False,
                    length=16),
            nullable=False,
        ),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("error", AutoString(length=300), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{D}")),
        _fk(D, "company_id", "companies"),
        _fk(D, "endpoint_id", "webhook_endpoints"),
    )  # fmt: skip
    op.create_index(f"ix_{D}_company_id_endpoint_id_id", D, ["company_id", "endpoint_id", "id"])
    if op.get_bind().dialect.name == "postgresql":
        for table in (T, E, D):
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY tenant_isolation ON {table} USING ({_CHECK}) WITH CHECK ({_CHECK})"
            )


def downgrade() -> None:
    for table in (D, E, T):
        op.drop_table(table)  # its indexes and policy go with it
