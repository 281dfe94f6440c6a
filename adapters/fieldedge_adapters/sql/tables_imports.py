"""The bulk-import records. Migration 0018 creates exactly this table (a test compares
the migrated schema with this metadata)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlmodel import Field, SQLModel

from fieldedge.domain.imports import ImportKind, ImportStatus
from fieldedge_adapters.sql.tables import tenant, varchar_enum
from fieldedge_adapters.sql.tables_fieldforce import ix, ref


class ImportRow(SQLModel, table=True):
    __tablename__ = "imports"
    __table_args__ = (ix("imports", "company_id", "id"),)

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    kind: ImportKind = Field(sa_type=varchar_enum(ImportKind))
    status: ImportStatus = Field(sa_type=varchar_enum(ImportStatus))
    dry_run: bool = False
    file_name: str = Field(max_length=200)
    file_key: str = Field(max_length=300)
    size_bytes: int
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: int = 0
    done: int = 0
    report_parts: int = 0
    message: str | None = Field(default=None, max_length=500)
    created_by: UUID = ref("users.id")
    lease_until: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
