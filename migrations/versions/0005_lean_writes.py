"""lean writes: audit entries linked after commit, order numbers drawn at commit

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

Expand only. Audit entries are now written unlinked (``seq``, ``prev_hash`` and ``hash``
NULL) in the transaction of the change they record and linked by a single linker
afterwards, so no writer waits on the chain; ``company_id`` NULL holds the platform's
own chain (failed logins for unknown emails). ``orders.number`` is NULL only inside the
transaction that writes the order, until its commit draws it. The old chain head
(``companies.audit_seq``/``audit_head``) is no longer read; a later contract migration
drops it once no running release does.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column("company_id", existing_type=sa.Uuid(), nullable=True)
        batch.alter_column("seq", existing_type=sa.BigInteger(), nullable=True)
        batch.alter_column("prev_hash", existing_type=AutoString(length=64), nullable=True)
        batch.alter_column("hash", existing_type=AutoString(length=64), nullable=True)
    op.create_index(
        "uq_audit_log_platform_seq",
        "audit_log",
        ["seq"],
        unique=True,
        sqlite_where=sa.text("company_id IS NULL"),
        postgresql_where=sa.text("company_id IS NULL"),
    )
    op.create_index(
        "ix_audit_log_unlinked",
        "audit_log",
        ["company_id"],
        sqlite_where=sa.text("seq IS NULL"),
        postgresql_where=sa.text("seq IS NULL"),
    )
    with op.batch_alter_table("orders") as batch:
        batch.alter_column("number", existing_type=AutoString(length=32), nullable=True)


def downgrade() -> None:
    # Entries still unlinked, and the platform's chain, cannot be kept under the old rule.
    op.execute("DELETE FROM audit_log WHERE seq IS NULL OR company_id IS NULL")
    op.execute("DELETE FROM orders WHERE number IS NULL")
    # The old code reads its chain head from the company row: bring it up to date.
    op.execute(
        "UPDATE companies SET "
        "audit_seq = COALESCE((SELECT max(a.seq) FROM audit_log a "
        "WHERE a.company_id = companies.id), 0), "
        "audit_head = COALESCE((SELECT a.hash FROM audit_log a WHERE a.company_id = companies.id "
        f"ORDER BY a.seq DESC LIMIT 1), '{'0' * 64}')"
    )
    with op.batch_alter_table("orders") as batch:
        batch.alter_column("number", existing_type=AutoString(length=32), nullable=False)
    op.drop_index("ix_audit_log_unlinked", table_name="audit_log")
    op.drop_index("uq_audit_log_platform_seq", table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column("hash", existing_type=AutoString(length=64), nullable=False)
        batch.alter_column("prev_hash", existing_type=AutoString(length=64), nullable=False)
        batch.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch.alter_column("company_id", existing_type=sa.Uuid(), nullable=False)
