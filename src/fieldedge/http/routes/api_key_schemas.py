"""Wire shapes of ``/api/v1/api-keys``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from fieldedge.domain.access import SCOPE_FAMILIES, SCOPES
from fieldedge.http.fields import Time
from fieldedge.http.schemas import RequestModel, ResponseModel

Scope = Annotated[str, StringConstraints(pattern=rf"^({'|'.join(SCOPE_FAMILIES)}):(read|write)$")]
SCOPES_TEXT = (
    "What the key may do: `<family>:read` or `<family>:write` (write includes read) for "
    f"{', '.join(SCOPE_FAMILIES)}."
)


class CreateKeyBody(RequestModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"\S")]
    scopes: list[Scope] = Field(min_length=1, max_length=len(SCOPES), description=SCOPES_TEXT)
    expires_at: Time | None = Field(
        default=None, description="When the key stops working (null: never); in the future."
    )


class RotateKeyBody(RequestModel):
    grace_hours: int = Field(
        default=24,
        ge=0,
        le=168,
        description="How long the old secret keeps working (0: it stops now; at most 7 days).",
    )


class ApiKeyOut(ResponseModel):
    id: UUID
    name: str
    scopes: list[str]
    prefix: str = Field(description="The start of the secret's random part: not secret.")
    previous_prefix: str | None
    previous_expires_at: datetime | None = Field(
        description="Until when the secret before the last rotation still works."
    )
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None = Field(description="To the minute.")
    created_by: UUID
    created_at: datetime
    updated_at: datetime


class IssuedKeyOut(ApiKeyOut):
    secret: str = Field(description="`fe_live_…`: shown this once; store it in a secret store.")
