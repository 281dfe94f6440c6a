"""The table classes: domain entities made persistent, kept out of the core.

Each subclasses its domain model with ``table=True``; a field is redeclared here only
when its column needs more than SQLModel infers (a foreign key, a JSON or VARCHAR-enum
type, no single-column index where a composite one serves). ``migrations/`` must produce
exactly these columns (a test compares the migrated schema with this metadata).
Datetimes need nothing: SQLModel maps them to ``UTCDateTime`` (timezone-aware, read
back in UTC on SQLite too).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from fieldedge.domain.audit import GENESIS, AuditEntry
from fieldedge.domain.company import Company, CompanyStatus
from fieldedge.domain.idempotency import IdempotencyRecord, IdempotencyStatus
from fieldedge.domain.identity import PasswordResetToken, RefreshToken, Role, User
from fieldedge.domain.outbox import OutboxEvent, OutboxStatus

# Named constraints, so a later migration can drop or alter them (SQLite batch mode
# cannot address an unnamed one). Set before any table class is declared.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _varchar_enum(kind: type[StrEnum]) -> sa.Enum:
    # VARCHAR, not a native Postgres ENUM: adding a member stays an expand-only change.
    # The stored text is the member's value (what the API shows), not its Python name.
    return sa.Enum(
        kind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
    )


def _tenant(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None if nullable else ..., foreign_key="companies.id", index=index)


class CompanyRow(Company, table=True):
    __tablename__ = "companies"

    status: CompanyStatus = Field(
        default=CompanyStatus.ACTIVE, sa_type=_varchar_enum(CompanyStatus)
    )
    # BIGINT: every write of every user of the tenant bumps it, for years.
    change_counter: int = Field(
        default=0, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": "0"}
    )
    # Head of the tenant's audit chain (adapter-only: the domain never sees them). The
    # append takes this row's lock to read and advance them, so the chain cannot fork.
    audit_seq: int = Field(
        default=0, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": "0"}
    )
    audit_head: str = Field(
        default=GENESIS, max_length=64, sa_column_kwargs={"server_default": GENESIS}
    )
    # Last order number taken (adapter-only, like the audit head): ``next_number``
    # advances it under this row's lock, so numbers are gap-free and a rollback returns one.
    order_seq: int = Field(
        default=0, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": "0"}
    )


class UserRow(User, table=True):
    __tablename__ = "users"
    __table_args__ = (
        sa.Index("ix_users_company_id_id", "company_id", "id"),
        sa.Index("ix_users_company_id_manager_id", "company_id", "manager_id"),
    )

    company_id: UUID | None = _tenant()  # NULL for SUPER_ADMIN
    # Unique over the whole table: an email is a global login, whatever the company.
    email: str = Field(max_length=254, unique=True)
    role: Role = Field(sa_type=_varchar_enum(Role))
    manager_id: UUID | None = Field(default=None, foreign_key="users.id")


class RefreshTokenRow(RefreshToken, table=True):
    __tablename__ = "refresh_tokens"

    company_id: UUID | None = _tenant(index=True)
    user_id: UUID = Field(foreign_key="users.id", index=True)


class PasswordResetTokenRow(PasswordResetToken, table=True):
    __tablename__ = "password_reset_tokens"

    company_id: UUID | None = _tenant(index=True)
    user_id: UUID = Field(foreign_key="users.id", index=True)


class AuditRow(AuditEntry, table=True):
    __tablename__ = "audit_log"
    # The unique (company_id, seq) index also serves every per-tenant read by seq.
    __table_args__ = (sa.UniqueConstraint("company_id", "seq", name="uq_audit_log_company_id_seq"),)

    company_id: UUID = _tenant(nullable=False)
    seq: int = Field(sa_type=sa.BigInteger)
    # No foreign key on actor_id: the log must outlive anything it mentions.
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class OutboxRow(OutboxEvent, table=True):
    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    company_id: UUID | None = _tenant(index=True)  # NULL for platform mail
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=_varchar_enum(OutboxStatus))


class IdempotencyRow(IdempotencyRecord, table=True):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),
        sa.Index("ix_idempotency_keys_expires_at", "expires_at"),
    )

    company_id: UUID = _tenant(nullable=False, index=True)
    user_id: UUID = Field(foreign_key="users.id")
    status: IdempotencyStatus = Field(
        default=IdempotencyStatus.IN_PROGRESS, sa_type=_varchar_enum(IdempotencyStatus)
    )
    response_headers: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)
    response_body: bytes | None = Field(default=None, sa_type=sa.LargeBinary)


# Registered on the same metadata wherever the tables are collected (migrations, tests).
from fieldedge_adapters.sql import tables_fieldforce as _fieldforce  # noqa: E402, F401
