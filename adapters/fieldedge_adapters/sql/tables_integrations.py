"""The integration tables: API keys, webhook endpoints and their delivery log. Migration
0014 creates exactly these (a test compares the migrated schema with this metadata)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from fieldedge.domain.webhooks import DeliveryStatus
from fieldedge_adapters.sql.tables import tenant, varchar_enum
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


class WebhookEndpointRow(SQLModel, table=True):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (ix("webhook_endpoints", "company_id", "id"),)

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    url: str = Field(max_length=2000)
    description: str | None = Field(default=None, max_length=200)
    event_types: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    statuses: list[str] | None = Field(default=None, sa_type=sa.JSON)
    secret: str = Field(max_length=64)  # signs; kept in the clear (see domain.webhooks)
    previous_secret: str | None = Field(default=None, max_length=64)
    previous_expires_at: datetime | None = None
    active: bool = True
    disabled_reason: str | None = Field(default=None, max_length=200)
    consecutive_failures: int = 0
    created_by: UUID = ref("users.id")
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


class WebhookDeliveryRow(SQLModel, table=True):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (ix("webhook_deliveries", "company_id", "endpoint_id", "id"),)

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    endpoint_id: UUID = ref("webhook_endpoints.id")
    event_id: str = Field(max_length=64)
    event_type: str = Field(max_length=64)
    event: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    attempt: int
    status: DeliveryStatus = Field(sa_type=varchar_enum(DeliveryStatus))
    response_status: int | None = None
    latency_ms: int
    error: str | None = Field(default=None, max_length=300)
    created_at: datetime
