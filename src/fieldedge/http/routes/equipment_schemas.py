"""Wire shapes of ``/api/v1/equipment-types`` and ``/api/v1/equipment``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StringConstraints

from fieldedge.domain.equipment import MAX_ATTRIBUTES, AttributeSpec, EquipmentStatus
from fieldedge.http.routes.fieldforce_schemas import CLIENT_ID, Title
from fieldedge.http.schemas import PatchModel, RequestModel, ResponseModel

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Specs = Annotated[list[AttributeSpec], Field(max_length=MAX_ATTRIBUTES)]

SPECS = (
    "The attributes this type's equipment carries: name (a letter, then letters, digits "
    "or _), kind (string, number, boolean, date) and required. On PATCH the whole list."
)
ATTRIBUTES = (
    "Values of the type's declared attributes, by name: a number for a number, true or "
    "false for a boolean, YYYY-MM-DD for a date. An unknown, missing required or "
    "ill-typed attribute is 422 on attributes.<name>. On PATCH the whole object."
)
SERIAL = "Unique among the company's live equipment (a taken one is 409)."


class CreateTypeBody(RequestModel):
    id: UUID | None = Field(default=None, description=CLIENT_ID)
    name: Title
    attributes: Specs = Field(default=[], description=SPECS)


class UpdateTypeBody(PatchModel):
    name: Title | None = None
    attributes: Specs | None = Field(default=None, description=SPECS)


class AttributeOut(ResponseModel):
    name: str
    kind: str
    required: bool


class TypeOut(ResponseModel):
    id: UUID
    name: str
    attributes: list[AttributeOut]
    version: int
    created_at: datetime
    updated_at: datetime


class CreateEquipmentBody(RequestModel):
    id: UUID | None = Field(default=None, description=CLIENT_ID)
    type_id: UUID
    site_id: UUID
    make: Name
    model: Name
    serial: Name = Field(description=SERIAL)
    install_date: date | None = None
    warranty_end: date | None = Field(default=None, description="On or after installDate.")
    status: EquipmentStatus = EquipmentStatus.OPERATIONAL
    status_reason: Reason | None = None
    attributes: dict[str, Any] = Field(default={}, description=ATTRIBUTES)


class UpdateEquipmentBody(PatchModel):
    type_id: UUID | None = None
    site_id: UUID | None = None
    make: Name | None = None
    model: Name | None = None
    serial: Name | None = Field(default=None, description=SERIAL)
    install_date: date | None = None
    warranty_end: date | None = None
    status: EquipmentStatus | None = None
    status_reason: Reason | None = None
    attributes: dict[str, Any] | None = Field(default=None, description=ATTRIBUTES)


class EquipmentOut(ResponseModel):
    id: UUID
    type_id: UUID
    site_id: UUID
    make: str
    model: str
    serial: str
    install_date: date | None
    warranty_end: date | None
    status: EquipmentStatus
    status_reason: str | None
    attributes: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
