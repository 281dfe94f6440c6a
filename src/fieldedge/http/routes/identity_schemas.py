"""Bodies of the identity routes: what clients send and what they get back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, StrictInt

from fieldedge.domain.company import CompanyStatus, DayEnd
from fieldedge.domain.identity import Role
from fieldedge.http.fields import (
    INTEGRAL,
    CompanyName,
    Country,
    Currency,
    Email,
    GeofenceRadius,
    Name,
    NewPassword,
    Password,
    Timezone,
    Token,
)
from fieldedge.http.schemas import PatchModel, RequestModel, ResponseModel


class RegisterBody(RequestModel):
    company_name: CompanyName
    name: Name
    email: Email
    password: NewPassword
    timezone: Timezone | None = Field(
        default=None, description="IANA name; defaults to the country's main zone."
    )
    currency: Currency = "INR"
    country: Country = "IN"


class LoginBody(RequestModel):
    email: Email
    password: Password


class RefreshBody(RequestModel):
    refresh_token: Token


class ResetRequestBody(RequestModel):
    email: Email


class ResetConfirmBody(RequestModel):
    token: Token
    new_password: NewPassword


class ChangePasswordBody(RequestModel):
    current_password: Password
    new_password: NewPassword


class CreateUserBody(RequestModel):
    name: Name
    email: Email
    role: Literal[Role.ADMIN, Role.MANAGER, Role.SALES_REP]
    manager_id: UUID | None = None
    password: NewPassword | None = None


class UpdateUserBody(PatchModel):
    name: Name | None = None
    role: Literal[Role.ADMIN, Role.MANAGER, Role.SALES_REP] | None = None
    manager_id: UUID | None = None
    active: bool | None = None


class UpdateCompanyBody(RequestModel):
    name: CompanyName | None = None
    geofence_radius_m: GeofenceRadius | None = None
    timezone: Timezone | None = None
    currency: Currency | None = None
    country: Country | None = None
    day_ends_at: DayEnd | None = Field(
        default=None, description="Local HH:MM when a working day left open is closed."
    )
    travel_rate_per_km: Annotated[StrictInt, Field(ge=0, le=10**9), INTEGRAL] | None = Field(
        default=None,
        description="Minor units a km that a travel expense line computed from attendance pays.",
    )


class CompanyStatusBody(RequestModel):
    status: CompanyStatus


class TokenOut(ResponseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the OAuth token type
    expires_in: int = Field(description="Seconds until the access token expires.")


class UserOut(ResponseModel):
    id: UUID
    company_id: UUID | None
    email: str
    name: str
    role: Role
    manager_id: UUID | None
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class CompanyOut(ResponseModel):
    id: UUID
    name: str
    status: CompanyStatus
    geofence_radius_m: int
    timezone: str
    currency: str
    country: str
    day_ends_at: str
    travel_rate_per_km: int
    created_at: datetime
    updated_at: datetime


class MeOut(ResponseModel):
    user: UserOut
    company: CompanyOut | None


class AuditEntryOut(ResponseModel):
    id: UUID
    seq: int
    at: datetime
    actor_id: UUID | None
    action: str
    entity: str | None
    entity_id: UUID | None
    detail: dict[str, Any]
    ip: str | None
    hash: str
