"""identity: users, refresh and reset tokens, the audit chain, the outbox; tenant RLS

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-04

Runs on SQLite (batch mode) and Postgres. On Postgres every tenant table gets row-level
security, forced for the owner too, keyed on ``app.company_id`` (or ``app.system``)
which the unit of work sets per transaction: a query without either sees nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64
# Table -> its tenant column; ``companies`` is keyed by its own id.
TENANT_TABLES = {
    "companies": "id",
    "users": "company_id",
    "refresh_tokens": "company_id",
    "password_reset_tokens": "company_id",
    "audit_log": "company_id",
    "outbox": "company_id",
}


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["company_id"], ["companies.id"], name=op.f(f"fk_{table}_company_id_companies")
    )


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users")
    )


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=16)


def upgrade() -> None:
    with op.batch_alter_table("companies") as batch:
        batch.add_column(
            sa.Column("audit_seq", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch.add_column(
            sa.Column("audit_head", AutoString(length=64), server_default=GENESIS, nullable=False)
        )
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=True),
        sa.Column("email", AutoString(length=254), nullable=False),
        sa.Column("name", AutoString(length=120), nullable=False),
        sa.Column(
            "role", _enum("role", "SUPER_ADMIN", "ADMIN", "MANAGER", "SALES_REP"), nullable=False
        ),
        sa.Column("manager_id", sa.Uuid(), nullable=True),
        sa.Column("password_hash", AutoString(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sessions_valid_after", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        _tenant_fk("users"),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["users.id"], name=op.f("fk_users_manager_id_users")
        ),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_index("ix_users_company_id_id", "users", ["company_id", "id"])
    op.create_index("ix_users_company_id_manager_id", "users", ["company_id", "manager_id"])
    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", AutoString(length=64), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_tokens")),
        _tenant_fk("refresh_tokens"),
        _user_fk("refresh_tokens"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_tokens_token_hash")),
    )
    for column in ("company_id", "user_id", "family_id"):
        op.create_index(op.f(f"ix_refresh_tokens_{column}"), "refresh_tokens", [column])
    op.create_table(
        "password_reset_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", AutoString(length=64), nullable=False),
        sa.Column("purpose", AutoString(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset_tokens")),
        _tenant_fk("password_reset_tokens"),
        _user_fk("password_reset_tokens"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_tokens_token_hash")),
    )
    for column in ("company_id", "user_id"):
        op.create_index(
            op.f(f"ix_password_reset_tokens_{column}"), "password_reset_tokens", [column]
        )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("action", AutoString(length=64), nullable=False),
        sa.Column("entity", AutoString(length=32), nullable=True),
        sa.Column("entity_id", sa.Uuid(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("ip", AutoString(length=64), nullable=True),
        sa.Column("prev_hash", AutoString(length=64), nullable=False),
        sa.Column("hash", AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        _tenant_fk("audit_log"),
        sa.UniqueConstraint("company_id", "seq", name="uq_audit_log_company_id_seq"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=True),
        sa.Column("kind", AutoString(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", _enum("outboxstatus", "pending", "sent", "dead"), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("last_error", AutoString(length=500), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        _tenant_fk("outbox"),
    )
    op.create_index(op.f("ix_outbox_company_id"), "outbox", ["company_id"])
    op.create_index("ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"])
    if op.get_bind().dialect.name == "postgresql":
        for table, column in TENANT_TABLES.items():
            _enable_rls(table, column)


def _enable_rls(table: str, column: str) -> None:
    # FORCE: the owner (the role the app and the migrations log in as) is bound too;
    # only a superuser or a BYPASSRLS role, neither of which the app uses, is not.
    check = (
        f"{column}::text = current_setting('app.company_id', true) "
        "OR current_setting('app.system', true) = 'on'"
    )
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON {table} USING ({check}) WITH CHECK ({check})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS tenant_isolation ON companies")
        op.execute("ALTER TABLE companies NO FORCE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE companies DISABLE ROW LEVEL SECURITY")
    # Dropping a table drops its indexes and policies with it.
    for table in ("outbox", "audit_log", "password_reset_tokens", "refresh_tokens", "users"):
        op.drop_table(table)
    with op.batch_alter_table("companies") as batch:
        batch.drop_column("audit_head")
        batch.drop_column("audit_seq")
