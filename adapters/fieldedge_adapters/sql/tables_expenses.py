"""The expense-claim table. A claim's lines live in its row (JSON), as an order's items
do: they are read, written and synced with their claim, never alone. Migration 0011
creates exactly this (a test compares the migrated schema with this metadata)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from fieldedge.domain.expenses import ExpenseStatus
from fieldedge_adapters.sql.tables import tenant, varchar_enum
from fieldedge_adapters.sql.tables_fieldforce import field_versions, ix, money, ref


class ExpenseClaimRow(SQLModel, table=True):
    __tablename__ = "expense_claims"
    __table_args__ = (
        ix("expense_claims", "company_id", "id"),
        ix("expense_claims", "company_id", "version"),  # sync pulls
        ix("expense_claims", "company_id", "user_id", "id"),  # a rep's claims, a team's
        ix("expense_claims", "company_id", "status"),  # the approval queue
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    user_id: UUID = ref("users.id")
    title: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=2000)
    status: ExpenseStatus = Field(default=ExpenseStatus.DRAFT, sa_type=varchar_enum(ExpenseStatus))
    lines: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    currency: str = Field(max_length=3)
    total: int = money()
    submitted_at: datetime | None = None
    approved_by: UUID | None = ref("users.id", nullable=True)
    approved_at: datetime | None = None
    rejected_by: UUID | None = ref("users.id", nullable=True)
    rejected_at: datetime | None = None
    rejection_reason: str | None = Field(default=None, max_length=500)
    reimbursed_by: UUID | None = ref("users.id", nullable=True)
    reimbursed_at: datetime | None = None
    reimbursement_reference: str | None = Field(default=None, max_length=100)
    version: int = 0
    field_versions: dict[str, int] = field_versions()
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
