"""targets: a rep's monthly targets; who created each contact

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

Expand only. ``targets`` holds one row per rep per month (``YYYY-MM``, unique), synced
like every field-force row (version, field versions, tombstone column) and under the
same forced row-level security. ``contacts.created_by`` (nullable) records who created a
contact, which a "new contacts" target counts; contacts made before it are nobody's.
Three indexes serve a month's achievement: orders and payments by rep and time, and
contacts by creator and time (visits already have theirs).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

T = "targets"
INDEXES = (
    ("contacts", ("created_by", "created_at")),
    ("orders", ("user_id", "created_at")),
    ("payments", ("user_id", "received_at")),
)


def _fk(column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{T}_{column}_{target}")
    )


def _name(table: str, columns: Sequence[str]) -> str:
    return f"ix_{table}_company_id_{'_'.join(columns)}"


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("created_by", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_contacts_created_by_users"), "users", ["created_by"], ["id"]
        )
    for table, columns in INDEXES:
        op.create_index(_name(table, columns), table, ["company_id", *columns])
    op.create_table(
        T,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("month", AutoString(length=7), nullable=False),
        sa.Column("order_value", sa.BigInteger(), nullable=False),
        sa.Column("collections", sa.BigInteger(), nullable=False),
        sa.Column("visits", sa.BigInteger(), nullable=False),
        sa.Column("new_contacts", sa.BigInteger(), nullable=False),
        sa.Column("set_by", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("field_versions", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{T}")),
        _fk("company_id", "companies"),
        _fk("user_id", "users"),
        _fk("set_by", "users"),
        sa.UniqueConstraint(
            "company_id", "user_id", "month", name=f"uq_{T}_company_id_user_id_month"
        ),
    )
    for columns in (("id",), ("version",), ("month",)):
        op.create_index(_name(T, columns), T, ["company_id", *columns])
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
    for table, columns in INDEXES:
        op.drop_index(_name(table, columns), table_name=table)
    with op.batch_alter_table("contacts") as batch:
        batch.drop_constraint(op.f("fk_contacts_created_by_users"), type_="foreignkey")
        batch.drop_column("created_by")
