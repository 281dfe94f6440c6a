"""contact tags searched by their elements, so the planner knows a rare tag from a common one

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04

Postgres only (SQLite matches tags with ``json_each``, unchanged).

``?tag=`` was ``tags::jsonb @> '["vip"]'`` over a GIN index of ``tags::jsonb``. Postgres
keeps no per-element statistics for ``jsonb``, so it guessed every tag at the same
frequency: on the 100,000-contact scale tenant it walked the company's contacts in id
order for a tag 0.3 % of them carry, reading thousands of rows for a page of 20 (the
bench's rare-tag p99 was 4.5x the small tenant's). Now the tags are also indexed as a
``text[]`` (``fe_tags(tags)``, an immutable function of the stored JSON array) and the
filter is ``fe_tags(tags) @> ARRAY[tag]``: ``ANALYZE`` keeps the array's most common
elements for that index expression, so a rare tag is read through the GIN index and a
frequent one still by id. The ``tags::jsonb`` index is dropped. Built and dropped
``CONCURRENTLY``, outside the migration's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = """
CREATE OR REPLACE FUNCTION fe_tags(value json) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT coalesce(array_agg(tag), '{}') FROM json_array_elements_text(value) AS tag $$
"""
NEW, OLD = "ix_contacts_tag_elements", "ix_contacts_tags"


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _postgres():
        return
    op.execute(FUNCTION)
    with op.get_context().autocommit_block():
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NEW}")  # an INVALID leftover
        op.execute(f"CREATE INDEX CONCURRENTLY {NEW} ON contacts USING gin (fe_tags(tags))")
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {OLD}")
    op.execute("ANALYZE contacts")


def downgrade() -> None:
    if not _postgres():
        return
    with op.get_context().autocommit_block():
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {OLD}")
        op.execute(
            f"CREATE INDEX CONCURRENTLY {OLD} ON contacts USING gin ((tags::jsonb) jsonb_path_ops)"
        )
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NEW}")
    op.execute("DROP FUNCTION IF EXISTS fe_tags(json)")
