"""Wire shapes of ``/api/v1/territories``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from fieldedge.domain.territories import DEFAULT_KIND, MAX_REPS
from fieldedge.http.routes.fieldforce_schemas import CLIENT_ID, Title
from fieldedge.http.schemas import PatchModel, RequestModel, ResponseModel

Kind = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Reps = Annotated[list[UUID], Field(max_length=MAX_REPS)]

KIND = "The level's label (region, area, territory, or your own); stored lower-cased."
PARENT = "The territory above this one (null: a root). A move under itself or below is 422."
REPS = (
    "The users assigned to this territory (active SALES_REP or MANAGER); on PATCH the whole "
    "list, replacing the old one."
)


class CreateTerritoryBody(RequestModel):
    id: UUID | None = Field(default=None, description=CLIENT_ID)
    name: Title
    kind: Kind = Field(default=DEFAULT_KIND, description=KIND)
    parent_id: UUID | None = Field(default=None, description=PARENT)
    rep_ids: Reps = Field(default=[], description=REPS)


class UpdateTerritoryBody(PatchModel):
    name: Title | None = None
    kind: Kind | None = Field(default=None, description=KIND)
    parent_id: UUID | None = Field(default=None, description=PARENT)
    rep_ids: Reps | None = Field(default=None, description=REPS)


class TerritoryOut(ResponseModel):
    id: UUID
    name: str
    kind: str
    parent_id: UUID | None
    rep_ids: list[UUID]
    version: int
    created_at: datetime
    updated_at: datetime
