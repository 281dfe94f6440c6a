"""territories: the sales geography as a tree; a contact's territory

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

Expand only. ``territories`` holds the tree (``parent_id`` to the same table), the level
label (``kind``) and the assigned reps (``rep_ids``, JSON), synced like every field-force
row (version, field versions, tombstone column) under the same forced row-level
security. ``contacts.territory_id`` is new and NULL for every existing contact.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

T = "territories"


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        T,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("kind", AutoString(length=40), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("rep_ids", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("field_versions", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{T}")),
        _fk(T, "company_id", "companies"),
        _fk(T, "parent_id", T),
    )
    for columns in (("id",), ("version",), ("parent_id",)):
        op.create_index(f"ix_{T}_company_id_{'_'.join(columns)}", T, ["company_id", *columns])
    # SQLite: batch mode rebuilds contacts with the new column and its foreign key.
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("territory_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_contacts_territory_id_territories"), T, ["territory_id"], ["id"]
        )
    op.create_index(
        "ix_contacts_company_id_territory_id", "contacts", ["company_id", "territory_id"]
    )
    if op.get_bind().dialect.name == "postgresql":
        check = (
            "company_id::text = current_setting('app.company_id', true) "
            "OR current_setting('app.system', true) = 'on'"
        )
        op.execute(f"ALTER TABLE {T} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {T} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY tenant_isolation ON {T} USING ({check}) WITH CHECK ({check})")


def downgrade() -> None:
    op.drop_index("ix_contacts_company_id_territory_id", table_name="contacts")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_constraint(op.f("fk_contacts_territory_id_territories"), type_="foreignkey")
        batch.drop_column("territory_id")
    op.drop_table(T)  # its indexes and policy go with it
