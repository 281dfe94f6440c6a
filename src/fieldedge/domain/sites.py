"""Sites: where a customer's equipment stands (a plant, a building, a floor, a room).

A site belongs to one contact (the customer) and may sit inside another site of the
same contact (building > floor > room, any depth); the shape is ``parent_id`` alone. A
tree has no cycles: a site is never its own parent, and a move under one of its own
descendants is refused (``check_move``, given the new parent's path to the root, which
only the use case can read). Coordinates follow the contacts' rule: both or neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, StringConstraints, model_validator

from fieldedge.domain.base import Entity
from fieldedge.domain.contacts import check_location
from fieldedge.errors import ValidationFailed

CYCLE = "A site cannot be moved under itself or one of its descendants."


def _text(max_length: int, min_length: int = 0) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


class Site(Entity):
    id: UUID
    company_id: UUID
    contact_id: UUID  # the customer whose site this is
    parent_id: UUID | None = None  # None: a top-level site of the contact
    name: Annotated[str, _text(200, 1)]
    address: Annotated[str, _text(500)] | None = None
    latitude: float | None = None
    longitude: float | None = None
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _rules(self) -> Site:
        if self.parent_id == self.id:
            raise ValidationFailed(details={"parentId": [CYCLE]})
        check_location(self.latitude, self.longitude)
        return self


def check_move(site_id: UUID, parent_path: Sequence[UUID]) -> None:
    """Refuse a parent whose path to the root (the parent first) passes through
    ``site_id``: the site would become its own ancestor."""
    if site_id in parent_path:
        raise ValidationFailed(details={"parentId": [CYCLE]})
