"""search indexes: contact search, city and tags served by indexes on Postgres

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

Postgres only (SQLite keeps scanning its one tenant's rows, with the same results):

- ``pg_trgm`` (created when missing; a trusted extension, so the database owner may) and
  a trigram GIN index each over ``lower(name)``, ``lower(city)`` and the phone's digits
  (``replace(phone, '+', '')``): the three sides of ``?q=``, each ``LIKE '%term%'``.
- ``(company_id, lower(city), id)``: ``?city=`` compares case-folded, which the plain
  ``(company_id, city)`` index cannot serve; ``id`` keeps the keyset page in the index.
- a ``jsonb_path_ops`` GIN index over ``tags::jsonb``: ``?tag=`` is containment
  (``tags::jsonb @> '["vip"]'``).

On both backends: ``orders (company_id, status, id)`` replaces ``(company_id, status)``
(the order list by status is a keyset page by id), and ``ix_orders_owing``, partial on
``total > amount_paid`` among live orders, serves the outstanding-balance list, which
no column index can (it compares two columns).

Each index is built ``CONCURRENTLY`` (and dropped so on the way down), outside the
migration's transaction (``autocommit_block``), so a live database keeps taking writes
while it builds. A build that fails leaves an INVALID index behind; ``IF NOT EXISTS``
would keep it, so each build first drops any invalid leftover of its name.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_contacts_name_trgm": "USING gin (lower(name) gin_trgm_ops)",
    "ix_contacts_city_trgm": "USING gin (lower(city) gin_trgm_ops)",
    "ix_contacts_phone_digits_trgm": "USING gin (replace(phone, '+', '') gin_trgm_ops)",
    "ix_contacts_company_id_city_folded": "(company_id, lower(city), id)",
    "ix_contacts_tags": "USING gin ((tags::jsonb) jsonb_path_ops)",
}

_OWING = sa.text("total > amount_paid AND deleted_at IS NULL")
_INVALID = """
SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE NOT i.indisvalid AND c.relname = ANY(:names)
"""


ORDER_INDEXES = {
    "ix_orders_company_id_status_id": "(company_id, status, id)",
    "ix_orders_owing": "(company_id, id) WHERE total > amount_paid AND deleted_at IS NULL",
}
OLD_STATUS = "ix_orders_company_id_status"


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _postgres():
        op.create_index("ix_orders_company_id_status_id", "orders", ["company_id", "status", "id"])
        op.create_index("ix_orders_owing", "orders", ["company_id", "id"], sqlite_where=_OWING)
        op.drop_index(OLD_STATUS, "orders")
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with op.get_context().autocommit_block():
        bind = op.get_bind()
        names = [*INDEXES, *ORDER_INDEXES]
        leftovers = bind.execute(sa.text(_INVALID), {"names": names}).scalars().all()
        for name in leftovers:
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        for name, body in INDEXES.items():
            op.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON contacts {body}")
        for name, body in ORDER_INDEXES.items():
            op.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON orders {body}")
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {OLD_STATUS}")


def downgrade() -> None:
    if not _postgres():
        op.create_index(OLD_STATUS, "orders", ["company_id", "status"])
        op.drop_index("ix_orders_owing", "orders")
        op.drop_index("ix_orders_company_id_status_id", "orders")
        return
    with op.get_context().autocommit_block():
        op.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {OLD_STATUS} ON orders (company_id, status)"
        )
        for name in [*INDEXES, *ORDER_INDEXES]:
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    # pg_trgm stays: other objects may use it, and keeping it costs nothing.
