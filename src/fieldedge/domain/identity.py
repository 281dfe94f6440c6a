"""Users, roles and the session records that back their tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlmodel import Field, SQLModel


class Role(StrEnum):
    SUPER_ADMIN = "SUPER_ADMIN"  # the platform; belongs to no company
    ADMIN = "ADMIN"  # a company
    MANAGER = "MANAGER"  # a team
    SALES_REP = "SALES_REP"  # own work


class User(SQLModel):
    id: UUID = Field(primary_key=True)
    company_id: UUID | None = Field(default=None, index=True)
    email: str = Field(max_length=254)  # stored lower-cased; unique across companies
    name: str = Field(max_length=120)
    role: Role
    manager_id: UUID | None = None
    password_hash: str | None = Field(default=None, max_length=255)  # None until set
    active: bool = True
    # Access tokens issued before this instant are refused (password reset, deactivation).
    sessions_valid_after: datetime | None = None
    version: int = 0
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None

    @property
    def can_log_in(self) -> bool:
        return self.active and self.deleted_at is None and self.password_hash is not None


class RefreshToken(SQLModel):
    """One issued refresh token, stored as a SHA-256 of the opaque value.

    Tokens of one login share a ``family_id``; each use rotates to a new token of the
    family. Presenting a token that was already used revokes the whole family.
    """

    id: UUID = Field(primary_key=True)
    company_id: UUID | None = Field(default=None, index=True)
    user_id: UUID = Field(index=True)
    family_id: UUID = Field(index=True)
    token_hash: str = Field(max_length=64, unique=True)
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None


class PasswordResetToken(SQLModel):
    """A single-use token mailed to the user (reset or invite), stored hashed, valid 1 h."""

    id: UUID = Field(primary_key=True)
    company_id: UUID | None = Field(default=None, index=True)
    user_id: UUID = Field(index=True)
    token_hash: str = Field(max_length=64, unique=True)
    purpose: str = Field(default="reset", max_length=16)  # reset | invite
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
