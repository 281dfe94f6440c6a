"""The integration tables: API keys. Migration 0014 creates exactly these (a test
compares the migrated schema with this metadata)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from fieldedge_adapters.sql.tables import tenant
from fieldedge_adapters.sql.tables_fieldforce import ix, ref


class ApiKeyRow(SQLModel, table=True):
    __tablename__ = "api_keys"
    __table_args__ = (ix("api_keys", "company_id", "id"),)

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    name: str = Field(max_length=100)
    scopes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    created_by: UUID = ref("users.id")
    # Looked up before the tenant is known (system scope), so unique across companies.
    prefix: str = Field(max_length=12, unique=True)
    secret_hash: str = Field(max_length=64)
    previous_prefix: str | None = Field(default=None, max_length=12, unique=True)
    previous_hash: str | None = Field(default=None, max_length=64)
    previous_expires_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
