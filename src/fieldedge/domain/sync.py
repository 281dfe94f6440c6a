"""Offline sync: the rules a device's mutations are applied by, whatever storage does.

A device queues mutations while offline and pushes them in order; each carries the
``baseVersion`` of the row it edited. A field the device changed that nobody changed on
the server since that version is applied; a field changed on both sides keeps the
server's value and is reported as a conflict with both values (``merge``). Deletes win;
a locked record (an approved order, a recorded payment) takes no client edit.

Each synced row keeps, per field, the change-counter value at which that field last
changed (``field_versions``). A marker of 0 means "at the row's own version": a write
does not know its version until its commit stamps it, so it marks the fields it changed
with 0, and resolves the markers of the previous write to that write's version first
(``next_field_versions``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, Field

from fieldedge.domain.base import Entity

MAX_MUTATIONS = 500
MAX_MUTATION_ID = 2**63 - 1
MAX_VERSION = 2**63 - 1  # a row's version is a BIGINT: a base version past it was never issued


class Op(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"


class SyncClient(Entity):
    """A device's replica, bound to the user who first pushed from it."""

    id: UUID  # the device's clientId
    company_id: UUID
    user_id: UUID
    last_mutation_id: int = Field(default=0, ge=0, le=MAX_MUTATION_ID)
    created_at: AwareDatetime
    updated_at: AwareDatetime


class ScopeChange(Entity):
    """A row leaving one user's scope and entering another's (stamped with the version of
    the change that moved it): a contact reassigned, a rep moved to another manager."""

    id: UUID
    company_id: UUID
    kind: str = Field(pattern=r"^(contact|user)$")
    subject_id: UUID
    lost_by: UUID | None = None
    gained_by: UUID | None = None
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime


@dataclass(frozen=True, slots=True)
class FieldConflict:
    field: str  # the domain name
    server_value: Any
    client_value: Any


@dataclass(frozen=True, slots=True)
class Merge:
    applied: dict[str, Any] = field(default_factory=dict)
    conflicts: tuple[FieldConflict, ...] = ()


# Bookkeeping every row has: not versioned field by field.
UNTRACKED = frozenset({"id", "company_id", "version", "created_at", "updated_at"})


def tracked(values: Iterable[str]) -> list[str]:
    """The fields whose changes are versioned one by one."""
    return [name for name in values if name not in UNTRACKED]


def resolved(field_versions: Mapping[str, int], version: int) -> dict[str, int]:
    """Every field's last-change version, the 0 markers read as ``version``."""
    return {name: (version if v == 0 else int(v)) for name, v in field_versions.items()}


def next_field_versions(
    stored: Mapping[str, int], version: int, changed: Iterable[str]
) -> dict[str, int]:
    """The field versions after a write changing ``changed`` of a row at ``version``."""
    after = resolved(stored, version)
    for name in changed:
        after[name] = 0
    return after


def changed_since(field_versions: Mapping[str, int], version: int, base: int, name: str) -> bool:
    """Did ``name`` change after ``base``? A field with no record changed with the row
    (conservative: it may then show as a conflict, never be overwritten silently)."""
    return resolved(field_versions, version).get(name, version) > base


def merge(
    server: Mapping[str, Any],
    field_versions: Mapping[str, int],
    version: int,
    base: int,
    client: Mapping[str, Any],
) -> Merge:
    """Which of the ``client``'s field values to apply to a row whose values are
    ``server`` (at ``version``), for a device that last saw it at ``base``."""
    applied: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    for name, value in client.items():
        if name not in server:  # not a stored field: a parameter of the edit (a reason)
            applied[name] = value
            continue
        current = server[name]
        if current == value:
            continue  # nothing to do, whatever happened since
        if base < version and changed_since(field_versions, version, base, name):
            conflicts.append(FieldConflict(name, current, value))
        else:
            applied[name] = value
    return Merge(applied, tuple(conflicts))


@dataclass(frozen=True, slots=True)
class Mutation:
    """One queued change, as the device sent it (``entity`` and ``op`` are checked when it
    is applied, so an unknown one is that mutation's rejection, not the whole push's)."""

    id: int
    entity: str
    op: str
    entity_id: UUID
    base_version: int | None
    data: Mapping[str, Any]
    client_time: datetime | None = None
