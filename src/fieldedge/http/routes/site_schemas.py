"""Wire shapes of ``/api/v1/sites``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from fieldedge.http.routes.fieldforce_schemas import CLIENT_ID, Title
from fieldedge.http.schemas import PatchModel, RequestModel, ResponseModel

Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]

CONTACT = "The customer (a contact of this company) whose site this is."
PARENT = (
    "The site this one is inside (a building's floor, a floor's room): a live site of the "
    "same contact; null: top level. A move under itself or below is 422."
)


class CreateSiteBody(RequestModel):
    id: UUID | None = Field(default=None, description=CLIENT_ID)
    contact_id: UUID = Field(description=CONTACT)
    parent_id: UUID | None = Field(default=None, description=PARENT)
    name: Title
    address: Address | None = None
    latitude: float | None = None
    longitude: float | None = None


class UpdateSiteBody(PatchModel):
    parent_id: UUID | None = Field(default=None, description=PARENT)
    name: Title | None = None
    address: Address | None = None
    latitude: float | None = None
    longitude: float | None = None


class SiteOut(ResponseModel):
    id: UUID
    contact_id: UUID
    parent_id: UUID | None
    name: str
    address: str | None
    latitude: float | None
    longitude: float | None
    version: int
    created_at: datetime
    updated_at: datetime


class NearSiteOut(SiteOut):
    distance_m: float = Field(description="Metres from the ?near= point (great circle).")
