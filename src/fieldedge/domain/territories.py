"""Territories: the company's sales geography as a tree (region > area > territory, any
depth), the reps assigned to each, and the contacts that belong to one.

``kind`` is the level's label (``region``, ``area``, ``territory``, or the company's
own words); the tree's shape is ``parent_id`` alone, so a company may nest as deep as
it likes. A tree has no cycles: a territory is never its own parent, and a move under
one of its own descendants is refused (``check_move``, given the new parent's path to
the root, which only the use case can read). ``rep_ids`` are the users assigned to the
territory, stored as canonical UUID text (a JSON list on every database).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BeforeValidator, Field, StringConstraints, model_validator

from fieldedge.domain.base import Entity
from fieldedge.errors import ValidationFailed

MAX_REPS = 200
DEFAULT_KIND = "territory"
CYCLE = "A territory cannot be moved under itself or one of its descendants."


def normalize_kind(kind: str) -> str:
    """Trimmed, inner blanks collapsed, lower-cased: ``Region`` and ``region `` are one level."""
    return " ".join(kind.split()).lower()


def _kind(value: object) -> object:
    return normalize_kind(value) if isinstance(value, str) else value  # else: pydantic's 422


def normalize_reps(rep_ids: Iterable[object] | None) -> list[str]:
    """Each id as canonical UUID text, once, in order (a repeated id is one assignment)."""
    seen: list[str] = []
    for index, raw in enumerate(rep_ids or ()):
        try:
            text = str(raw if isinstance(raw, UUID) else UUID(str(raw)))
        except ValueError:
            raise ValidationFailed(details={f"repIds.{index}": ["Not a UUID."]}) from None
        if text not in seen:
            seen.append(text)
    if len(seen) > MAX_REPS:
        raise ValidationFailed(details={"repIds": [f"At most {MAX_REPS} reps."]})
    return seen


Level = Annotated[str, BeforeValidator(_kind), StringConstraints(min_length=1, max_length=40)]


class Territory(Entity):
    id: UUID
    company_id: UUID
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    kind: Level = DEFAULT_KIND
    parent_id: UUID | None = None  # None: a root (a region, usually)
    rep_ids: Annotated[list[str], BeforeValidator(normalize_reps)] = Field(default_factory=list)
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _not_its_own_parent(self) -> Territory:
        if self.parent_id == self.id:
            raise ValidationFailed(details={"parentId": [CYCLE]})
        return self

    @property
    def reps(self) -> list[UUID]:
        return [UUID(rep) for rep in self.rep_ids]


def check_move(territory_id: UUID, parent_path: Sequence[UUID]) -> None:
    """Refuse a parent whose path to the root (the parent first) passes through
    ``territory_id``: the territory would become its own ancestor."""
    if territory_id in parent_path:
        raise ValidationFailed(details={"parentId": [CYCLE]})
