"""companies: the tenants, with the change counter the sync protocol reads

Revision ID: 0001
Revises:
Create Date: 2026-01-03

Runs on SQLite (batch mode) and Postgres.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "companies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum("ACTIVE", "SUSPENDED", name="companystatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("geofence_radius_m", sa.Integer(), nullable=False),
        sa.Column("timezone", AutoString(length=64), nullable=False),
        sa.Column("currency", AutoString(length=3), nullable=False),
        sa.Column("country", AutoString(length=2), nullable=False),
        sa.Column("change_counter", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
    )


def downgrade() -> None:
    op.drop_table("companies")
