"""route sync: a rep's chosen route for a day joins sync

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

Expand only. ``route_days`` gets the columns every synced row has (``version``, and
``field_versions`` for field-level conflicts) and the (company_id, version) index sync
pulls by. Existing rows start at version 0 with no field versions: a first pull's
snapshot brings them, as it brings every row.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

T = "route_days"
INDEX = "ix_route_days_company_id_version"


def upgrade() -> None:
    # Added with a default for the rows already there, then without it (the model has none).
    with op.batch_alter_table(T) as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("field_versions", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    with op.batch_alter_table(T) as batch:
        batch.alter_column("version", server_default=None)
        batch.alter_column("field_versions", server_default=None)
    op.create_index(INDEX, T, ["company_id", "version"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name=T)
    with op.batch_alter_table(T) as batch:
        batch.drop_column("field_versions")
        batch.drop_column("version")
