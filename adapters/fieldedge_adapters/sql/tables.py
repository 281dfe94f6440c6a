"""The table classes: SQLModel tables in the SQL adapter, apart from the core's entities.

Each entity of ``fieldedge.domain`` has a table here with a column per field (a test
holds the two in step) plus adapter-only columns the core never sees: the tenant's
change counter and order sequence on ``companies``. The repositories query these
tables with SQLAlchemy Core (``Row.__table__``) and map rows to entities and back; no
ORM session is involved. ``migrations/`` must produce exactly these columns (a test
compares the migrated schema with this metadata). Datetimes are ``UTCDateTime``
(timezone-aware, read back in UTC on SQLite too).

This module is imported on the first database use, never at cold start.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from fieldedge.domain.audit import GENESIS
from fieldedge.domain.company import CompanyStatus
from fieldedge.domain.identity import Role
from fieldedge.domain.outbox import OutboxStatus

# Named constraints, so a later migration can drop or alter them (SQLite batch mode
# cannot address an unnamed one). Set before any table class is declared.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def varchar_enum(kind: type[StrEnum]) -> sa.Enum:
    # VARCHAR, not a native Postgres ENUM: adding a member stays an expand-only change.
    # The stored text is the member's value (what the API shows), not its Python name.
    return sa.Enum(
        kind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
    )


def tenant(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None if nullable else ..., foreign_key="companies.id", index=index)


def counter(*, default: int = 0) -> Any:
    # BIGINT with a server default: adapter-only counters that grow for years.
    return Field(
        default=default, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": str(default)}
    )


class CompanyRow(SQLModel, table=True):
    __tablename__ = "companies"

    id: UUID = Field(primary_key=True)
    name: str = Field(max_length=200)
    status: CompanyStatus = Field(default=CompanyStatus.ACTIVE, sa_type=varchar_enum(CompanyStatus))
    geofence_radius_m: int = 200
    timezone: str = Field(default="UTC", max_length=64)
    currency: str = Field(default="INR", max_length=3)
    country: str = Field(default="IN", max_length=2)
    day_ends_at: str = Field(
        default="23:59", max_length=5, sa_column_kwargs={"server_default": "23:59"}
    )
    travel_rate_per_km: int = counter()  # minor units a km (expense claims' travel lines)
    # The tenant's change counter: advanced once per write transaction, at its end, in
    # the statement that stamps the written rows' ``version`` (see ``uow``).
    change_counter: int = counter()
    created_at: datetime
    updated_at: datetime
    # Unused since 0005 (the chain head is its last linked entry); dropped by a later
    # contract migration once no running version reads them.
    audit_seq: int = counter()
    audit_head: str = Field(
        default=GENESIS, max_length=64, sa_column_kwargs={"server_default": GENESIS}
    )
    # Last order number taken, advanced in the same stamping statement.
    order_seq: int = counter()


class UserRow(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        sa.Index("ix_users_company_id_id", "company_id", "id"),
        sa.Index("ix_users_company_id_manager_id", "company_id", "manager_id"),
        sa.Index("ix_users_company_id_version", "company_id", "version"),  # sync pulls
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID | None = tenant()  # NULL for SUPER_ADMIN
    # Unique over the whole table: an email is a global login, whatever the company.
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=120)
    role: Role = Field(sa_type=varchar_enum(Role))
    manager_id: UUID | None = Field(default=None, foreign_key="users.id")
    password_hash: str | None = Field(default=None, max_length=255)
    active: bool = True
    sessions_valid_after: datetime | None = None
    version: int = 0
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


class RefreshTokenRow(SQLModel, table=True):
    __tablename__ = "refresh_tokens"

    id: UUID = Field(primary_key=True)
    company_id: UUID | None = tenant(index=True)
    user_id: UUID = Field(foreign_key="users.id", index=True)
    family_id: UUID = Field(index=True)
    token_hash: str = Field(max_length=64, unique=True)
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None


class PasswordResetTokenRow(SQLModel, table=True):
    __tablename__ = "password_reset_tokens"

    id: UUID = Field(primary_key=True)
    company_id: UUID | None = tenant(index=True)
    user_id: UUID = Field(foreign_key="users.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    purpose: str = Field(default="reset", max_length=16)
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class AuditRow(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (
        # Also serves every per-tenant read by seq, and the unlinked (seq IS NULL) scan.
        sa.UniqueConstraint("company_id", "seq", name="uq_audit_log_company_id_seq"),
        # The platform's chain (company NULL): NULLs never clash in the constraint above.
        sa.Index(
            "uq_audit_log_platform_seq",
            "seq",
            unique=True,
            sqlite_where=sa.text("company_id IS NULL"),
            postgresql_where=sa.text("company_id IS NULL"),
        ),
        # What the linker job looks for: chains with entries waiting.
        sa.Index(
            "ix_audit_log_unlinked",
            "company_id",
            sqlite_where=sa.text("seq IS NULL"),
            postgresql_where=sa.text("seq IS NULL"),
        ),
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID | None = tenant()  # NULL: the platform's chain
    seq: int | None = Field(default=None, sa_type=sa.BigInteger)
    at: datetime
    # No foreign key on actor_id: the log must outlive anything it mentions.
    actor_id: UUID | None = None
    action: str = Field(max_length=64)
    entity: str | None = Field(default=None, max_length=32)
    entity_id: UUID | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    ip: str | None = Field(default=None, max_length=64)
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)


class OutboxRow(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: UUID = Field(primary_key=True)
    company_id: UUID | None = tenant(index=True)  # NULL for platform mail
    kind: str = Field(max_length=32)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=varchar_enum(OutboxStatus))
    attempts: int = 0
    next_attempt_at: datetime
    lease_until: datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime
    sent_at: datetime | None = None


class IdempotencyRow(SQLModel, table=True):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),
        sa.Index("ix_idempotency_keys_expires_at", "expires_at"),
        # Led by the company, and the lookup's whole key: a plan that picks it (as one
        # made on an empty table did) still finds one row (migration 0019).
        sa.Index("ix_idempotency_keys_company_id_user_id_key", "company_id", "user_id", "key"),
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    user_id: UUID = Field(foreign_key="users.id")
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64)
    # Records are written once, completed, since 0005; the column stays for older rows.
    status: str = Field(default="completed", max_length=16)
    response_status: int | None = None
    response_headers: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)
    response_body: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    created_at: datetime
    expires_at: datetime


class SyncClientRow(SQLModel, table=True):
    __tablename__ = "sync_clients"

    id: UUID = Field(primary_key=True)  # the device's clientId
    company_id: UUID = tenant(nullable=False)
    user_id: UUID = Field(foreign_key="users.id")
    last_mutation_id: int = Field(sa_type=sa.BigInteger)
    created_at: datetime
    updated_at: datetime


class SyncResultRow(SQLModel, table=True):
    __tablename__ = "sync_results"
    __table_args__ = (
        sa.UniqueConstraint(
            "client_id", "mutation_id", name="uq_sync_results_client_id_mutation_id"
        ),
        sa.Index("ix_sync_results_created_at", "created_at"),
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    client_id: UUID = Field(foreign_key="sync_clients.id")
    mutation_id: int = Field(sa_type=sa.BigInteger)
    result: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    version: int = 0  # the push's version, stamped at its commit
    created_at: datetime


class ScopeChangeRow(SQLModel, table=True):
    __tablename__ = "sync_scope_log"
    __table_args__ = (sa.Index("ix_sync_scope_log_company_id_version", "company_id", "version"),)

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    kind: str = Field(max_length=16)  # contact | user
    subject_id: UUID
    lost_by: UUID | None = None
    gained_by: UUID | None = None
    version: int = 0
    created_at: datetime
    updated_at: datetime


# Registered on the same metadata wherever the tables are collected (migrations, tests).
from fieldedge_adapters.sql import tables_fieldforce as _fieldforce  # noqa: E402, F401
