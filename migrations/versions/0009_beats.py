"""beats: a rep's routes (beats and their stops), plans putting them on dates, and the
order a rep chose for a day

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

Expand only. ``beats`` and ``plans`` are synced like every field-force row (version,
field versions, tombstone column); ``beat_stops`` repeats each beat's contact list a row
per contact (so reports join plans to contacts in SQL); ``route_days`` holds one chosen
order per rep per local day (unique). All four under the same forced row-level security.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("beats", "beat_stops", "plans", "route_days")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _synced() -> list[sa.Column[object]]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("field_versions", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
    ]


def _index(table: str, *columns: str) -> None:
    op.create_index(f"ix_{table}_{'_'.join(columns)}", table, list(columns))


def upgrade() -> None:
    op.create_table(
        "beats",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", AutoString(length=120), nullable=False),
        sa.Column("contact_ids", sa.JSON(), nullable=False),
        *_synced(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_beats")),
        _fk("beats", "company_id", "companies"),
        _fk("beats", "user_id", "users"),
    )
    for columns in (("id",), ("version",), ("user_id", "id")):
        _index("beats", "company_id", *columns)
    op.create_table(
        "beat_stops",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("beat_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_beat_stops")),
        _fk("beat_stops", "beat_id", "beats"),
        _fk("beat_stops", "company_id", "companies"),
        _fk("beat_stops", "contact_id", "contacts"),
    )
    _index("beat_stops", "company_id", "beat_id")
    op.create_table(
        "plans",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("beat_id", sa.Uuid(), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        *_synced(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        _fk("plans", "company_id", "companies"),
        _fk("plans", "user_id", "users"),
        _fk("plans", "beat_id", "beats"),
    )
    for columns in (("id",), ("version",), ("user_id", "id"), ("beat_id",)):
        _index("plans", "company_id", *columns)
    op.create_table(
        "route_days",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("contact_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_route_days")),
        _fk("route_days", "company_id", "companies"),
        _fk("route_days", "user_id", "users"),
        sa.UniqueConstraint(
            "company_id", "user_id", "day", name="uq_route_days_company_id_user_id_day"
        ),
    )
    _index("route_days", "company_id", "id")
    if op.get_bind().dialect.name == "postgresql":
        check = (
            "company_id::text = current_setting('app.company_id', true) "
            "OR current_setting('app.system', true) = 'on'"
        )
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY tenant_isolation ON {table} USING ({check}) WITH CHECK ({check})"
            )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)  # its indexes and policy go with it
