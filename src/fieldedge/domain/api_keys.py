"""API keys: how an integration (an ERP, accounting, BI) calls the API without a user.

A key is a company-wide principal limited by its scopes (``access.SCOPES``). Its secret
is shown once and stored only as a keyed hash; a request names the key by the secret's
non-secret prefix. Rotation gives the key a new secret and keeps the old one working
until ``previous_expires_at`` (a grace period the ADMIN chooses, at most seven days), so
an integration can be redeployed without a gap. A revoked or expired key admits nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BeforeValidator, Field, StringConstraints

from fieldedge.domain.access import SCOPES
from fieldedge.domain.base import Entity
from fieldedge.errors import ValidationFailed

MAX_GRACE = timedelta(days=7)
PREFIX_LENGTH = 12  # characters of the secret's random part: the lookup id, not secret


def normalize_scopes(value: object) -> object:
    """Each scope once, sorted; an unknown one is a 422 naming it."""
    if not isinstance(value, list | tuple | set | frozenset):
        return value  # pydantic's own 422
    unknown = sorted(str(s) for s in value if s not in SCOPES)
    if unknown:
        raise ValidationFailed(details={"scopes": [f"Unknown scope: {', '.join(unknown)}."]})
    if not value:
        raise ValidationFailed(details={"scopes": ["At least one scope."]})
    return sorted(set(value))


Scopes = Annotated[list[str], BeforeValidator(normalize_scopes)]


class ApiKey(Entity):
    id: UUID
    company_id: UUID
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    scopes: Scopes
    created_by: UUID  # the ADMIN who made it: the actor of rows the key writes
    prefix: str = Field(min_length=PREFIX_LENGTH, max_length=PREFIX_LENGTH)
    secret_hash: str = Field(min_length=64, max_length=64)
    # The secret before the last rotation, accepted until ``previous_expires_at``.
    previous_prefix: str | None = Field(default=None, max_length=PREFIX_LENGTH)
    previous_hash: str | None = Field(default=None, max_length=64)
    previous_expires_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = None
    revoked_at: AwareDatetime | None = None
    last_used_at: AwareDatetime | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime

    def hash_for(self, prefix: str, now: datetime) -> str | None:
        """The stored hash of the secret named by ``prefix``, if that secret still works."""
        if prefix == self.prefix:
            return self.secret_hash
        if prefix == self.previous_prefix and self.previous_expires_at is not None:
            return self.previous_hash if now < self.previous_expires_at else None
        return None

    def refusal(self, now: datetime) -> str | None:
        """Why the key admits nothing at ``now`` (None: it is live)."""
        if self.revoked_at is not None:
            return "This API key was revoked."
        if self.expires_at is not None and now >= self.expires_at:
            return "This API key has expired."
        return None

    def rotate(self, prefix: str, secret_hash: str, grace: timedelta, now: datetime) -> None:
        """A new secret; the current one keeps working for ``grace`` (0: stops now)."""
        if self.refusal(now) is not None:
            raise ValidationFailed("A revoked or expired key cannot be rotated.")
        if grace < timedelta(0) or grace > MAX_GRACE:
            raise ValidationFailed(details={"graceHours": ["Between 0 and 168 hours."]})
        self.apply(
            {
                "previous_prefix": self.prefix if grace else None,
                "previous_hash": self.secret_hash if grace else None,
                "previous_expires_at": now + grace if grace else None,
                "prefix": prefix,
                "secret_hash": secret_hash,
                "updated_at": now,
            }
        )

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is None:
            self.apply({"revoked_at": now, "updated_at": now})
