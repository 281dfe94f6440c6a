"""lookups served by an index whatever the planner knows: a rep's previous check-in, an
idempotency key

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04

Two indexes replaced (issue 11's soak, whose tenant grows while Postgres has no
statistics on it: autovacuum had not analysed its tables, and a pooled connection keeps
the generic plan it made while they were empty):

- ``ix_visits_company_id_user_id_checked_in_at`` becomes ``…_checked_in_at_id``. A
  check-in reads the rep's previous one (``ORDER BY checked_in_at DESC, id DESC LIMIT
  1``, the impossible-travel rule); without ``id`` in the index only a sort finishes
  that order, and without statistics Postgres sorted every visit of the rep on every
  check-in (3,437 rows read after 3,437 visits). Now the index's last entry is the
  answer. It still serves a rep's visits of a day.
- ``ix_idempotency_keys_company_id`` becomes ``(company_id, user_id, key)``. On an
  empty table the lookup's generic plan costs the company index the same as the unique
  ``(user_id, key)`` and took it, then read every key of the company on every replayable
  write. Either index now finds the one key; the company prefix still serves a
  company's rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, old name, old columns, new name, new columns)
SWAPS: tuple[tuple[str, str, list[str], str, list[str]], ...] = (
    (
        "visits",
        "ix_visits_company_id_user_id_checked_in_at",
        ["company_id", "user_id", "checked_in_at"],
        "ix_visits_company_id_user_id_checked_in_at_id",
        ["company_id", "user_id", "checked_in_at", "id"],
    ),
    (
        "idempotency_keys",
        "ix_idempotency_keys_company_id",
        ["company_id"],
        "ix_idempotency_keys_company_id_user_id_key",
        ["company_id", "user_id", "key"],
    ),
)


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _swap(table: str, drop: str, make: str, columns: list[str]) -> None:
    if not _postgres():
        op.create_index(make, table, columns)
        op.drop_index(drop, table_name=table)
        return
    # Built CONCURRENTLY outside the migration's transaction, as 0012's: a live database
    # keeps taking check-ins while two million visits are indexed. An INVALID leftover
    # of a failed build is dropped first (IF NOT EXISTS would keep it).
    with op.get_context().autocommit_block():
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {make}")
        op.execute(f"CREATE INDEX CONCURRENTLY {make} ON {table} ({', '.join(columns)})")
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {drop}")


def upgrade() -> None:
    for table, old, _, new, columns in SWAPS:
        _swap(table, old, new, columns)


def downgrade() -> None:
    for table, old, columns, new, _ in reversed(SWAPS):
        _swap(table, new, old, columns)
