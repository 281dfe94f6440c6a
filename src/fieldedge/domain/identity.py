"""Users, roles and the session records that back their tokens."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from fieldedge.domain.base import Entity
from fieldedge.errors import ValidationFailed


class Role(StrEnum):
    SUPER_ADMIN = "SUPER_ADMIN"  # the platform; belongs to no company
    ADMIN = "ADMIN"  # a company
    MANAGER = "MANAGER"  # a team
    SALES_REP = "SALES_REP"  # own work


EmailAddress = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$"
    ),
]


class User(Entity):
    id: UUID
    company_id: UUID | None = None  # None only for SUPER_ADMIN
    email: EmailAddress  # stored lower-cased; unique across companies
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    role: Role
    manager_id: UUID | None = None
    password_hash: str | None = Field(default=None, max_length=255)  # None until set
    active: bool = True
    # Access tokens issued before this instant are refused (password change or reset,
    # deactivation, a role change): the database's copy of the KV revocation mark.
    sessions_valid_after: AwareDatetime | None = None
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _shape(self) -> User:
        if (self.company_id is None) != (self.role is Role.SUPER_ADMIN):
            raise ValidationFailed(details={"role": ["Only SUPER_ADMIN belongs to no company."]})
        if self.manager_id is not None and self.manager_id == self.id:
            raise ValidationFailed(details={"managerId": ["A user cannot manage themselves."]})
        return self

    @property
    def can_log_in(self) -> bool:
        return self.active and self.deleted_at is None and self.password_hash is not None


class RefreshToken(Entity):
    """One issued refresh token, stored as a SHA-256 of the opaque value.

    Tokens of one login share a ``family_id`` (the session, carried as ``sid`` in its
    access tokens); each use rotates to a new token of the family. Presenting a token
    that was already used revokes the whole family.
    """

    id: UUID
    company_id: UUID | None = None
    user_id: UUID
    family_id: UUID
    token_hash: str = Field(max_length=64)
    issued_at: AwareDatetime
    expires_at: AwareDatetime
    used_at: AwareDatetime | None = None
    revoked_at: AwareDatetime | None = None


class PasswordResetToken(Entity):
    """A single-use token mailed to the user (reset or invite), stored hashed."""

    id: UUID
    company_id: UUID | None = None
    user_id: UUID
    token_hash: str = Field(max_length=64)
    purpose: str = Field(default="reset", pattern=r"^(reset|invite)$")
    created_at: AwareDatetime
    expires_at: AwareDatetime
    used_at: AwareDatetime | None = None
