"""service: work-order attachments; the indexes behind /work-orders/overdue and the
equipment-health report

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-04

Expand only. ``work_orders.attachments`` (JSON, the checked photos and PDFs of
``domain.attachments``; existing rows get ``[]``), and three indexes on ``work_orders``
(issue 13's benchmark, ``bench/service.py``):

- ``ix_work_orders_open_id`` ``(company_id, id, due_at)`` WHERE live and OPEN, ASSIGNED,
  IN_PROGRESS or ON_HOLD: ``GET /work-orders/overdue`` pages the open work orders in id
  order and checks ``due_at`` in the index, stopping after a page, instead of reading
  every overdue row of the ``(company_id, status, due_at)`` range and sorting it.
- ``ix_work_orders_failures`` ``(company_id, equipment_id, created_at, status,
  completed_at)`` WHERE live and CORRECTIVE: the health report's per-machine failure
  sums (count, first and last failure, repair time) from the index alone.
- ``ix_work_orders_company_id_kind_status_due_at``: the report's overdue PREVENTIVE
  work, one range per open status.

Partial predicates are spelled exactly as the statements spell theirs, so SQLite (which
matches terms) and Postgres (which proves implication) both use them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

T = "work_orders"
OPEN_WHERE = "deleted_at IS NULL AND status IN ('OPEN', 'ASSIGNED', 'IN_PROGRESS', 'ON_HOLD')"
FAILURE_WHERE = "deleted_at IS NULL AND kind = 'CORRECTIVE'"
INDEXES: tuple[tuple[str, list[str], str | None], ...] = (
    ("ix_work_orders_open_id", ["company_id", "id", "due_at"], OPEN_WHERE),
    (
        "ix_work_orders_failures",
        ["company_id", "equipment_id", "created_at", "status", "completed_at"],
        FAILURE_WHERE,
    ),
    (
        "ix_work_orders_company_id_kind_status_due_at",
        ["company_id", "kind", "status", "due_at"],
        None,
    ),
)


def upgrade() -> None:
    # Added with a default for the rows already there, then without it (the model has none).
    with op.batch_alter_table(T) as batch:
        batch.add_column(
            sa.Column("attachments", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    with op.batch_alter_table(T) as batch:
        batch.alter_column("attachments", server_default=None)
    for name, columns, where in INDEXES:
        clause = sa.text(where) if where else None
        op.create_index(name, T, columns, sqlite_where=clause, postgresql_where=clause)


def downgrade() -> None:
    for name, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name=T)
    with op.batch_alter_table(T) as batch:
        batch.drop_column("attachments")
