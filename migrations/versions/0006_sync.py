"""offline sync: clients, their results, scope changes, per-field versions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

Expand only. ``sync_clients`` binds a device's client id to its user and keeps the last
mutation id it applied; ``sync_results`` keeps each mutation's result so a repeated one
is answered again; ``sync_scope_log`` records rows leaving or entering a user's scope (a
contact reassigned, a rep moved to another manager), stamped with the change's version
so a pull finds it in version order. Contacts, visits and orders gain ``field_versions``
(the version at which each field last changed) for field-level conflicts; photos gain
``version``/``updated_at`` so they sync like every other row, and ``captured_at`` (when
the device took the photo, perhaps offline). Each synced table gets an
index on (company_id, version) for pulls. Row-level security as every tenant table.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = ("sync_clients", "sync_results", "sync_scope_log")
FIELD_VERSIONED = ("contacts", "visits", "orders")
PULLED = ("users", "contacts", "visits", "visit_photos", "products", "orders", "payments")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "sync_clients",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("last_mutation_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_clients")),
        _fk("sync_clients", "company_id", "companies"),
        _fk("sync_clients", "user_id", "users"),
    )
    op.create_table(
        "sync_results",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("mutation_id", sa.BigInteger(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_results")),
        _fk("sync_results", "company_id", "companies"),
        _fk("sync_results", "client_id", "sync_clients"),
        sa.UniqueConstraint(
            "client_id", "mutation_id", name="uq_sync_results_client_id_mutation_id"
        ),
    )
    op.create_index("ix_sync_results_created_at", "sync_results", ["created_at"])
    op.create_table(
        "sync_scope_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("kind", AutoString(length=16), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("lost_by", sa.Uuid(), nullable=True),
        sa.Column("gained_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_scope_log")),
        _fk("sync_scope_log", "company_id", "companies"),
    )
    op.create_index(
        "ix_sync_scope_log_company_id_version", "sync_scope_log", ["company_id", "version"]
    )
    for table in FIELD_VERSIONED:
        # Rows written before this revision: every field changed with the row ({}); new
        # rows always get theirs from the repositories, so no default stays behind.
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("field_versions", sa.JSON(), server_default="{}", nullable=False)
            )
        with op.batch_alter_table(table) as batch:
            batch.alter_column("field_versions", existing_type=sa.JSON(), server_default=None)
    with op.batch_alter_table("visit_photos") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("updated_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("captured_at", UTCDateTime(), nullable=True))
    op.execute("UPDATE visit_photos SET updated_at = created_at")
    with op.batch_alter_table("visit_photos") as batch:
        batch.alter_column("updated_at", existing_type=UTCDateTime(), nullable=False)
    for table in PULLED:
        op.create_index(f"ix_{table}_company_id_version", table, ["company_id", "version"])
    if op.get_bind().dialect.name == "postgresql":
        check = (
            "company_id::text = current_setting('app.company_id', true) "
            "OR current_setting('app.system', true) = 'on'"
        )
        for table in NEW:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY tenant_isolation ON {table} USING ({check}) WITH CHECK ({check})"
            )


def downgrade() -> None:
    for table in PULLED:
        op.drop_index(f"ix_{table}_company_id_version", table_name=table)
    with op.batch_alter_table("visit_photos") as batch:
        batch.drop_column("captured_at")
        batch.drop_column("updated_at")
        batch.drop_column("version")
    for table in FIELD_VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("field_versions")
    for table in ("sync_results", "sync_scope_log", "sync_clients"):
        op.drop_table(table)  # its indexes and policy go with it
