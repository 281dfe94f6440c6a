"""What an entity is to sync: one registration per synced entity.

The edge (the HTTP layer, which owns the wire shapes) registers each entity once; push
and pull are written against these registrations only, so a new entity joins the protocol
by being registered, never by a copy of the protocol.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from fieldedge.domain.access import Principal
from fieldedge.ports.database import UnitOfWork
from fieldedge.services.deps import Deps


class Synced(Protocol):
    """A synced row as an entity: its id, its version, its values by domain name."""

    id: UUID
    version: int

    def values(self) -> dict[str, Any]: ...


Render = Callable[[Any], dict[str, Any]]  # a row or an entity as the wire shows it
# An update may hand back storage keys its edit left unnamed (a dropped line's receipt):
# the push removes those objects once it has committed.
Update = Callable[
    [UnitOfWork, Principal, Synced, dict[str, Any], Deps], Awaitable[Sequence[str] | None]
]
Delete = Callable[[UnitOfWork, Principal, Synced, Deps], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Create:
    """A create from a device: its id, its data (wire names) and its clock when sent."""

    entity_id: UUID
    data: Mapping[str, Any]
    client_time: datetime | None


@dataclass(frozen=True, slots=True)
class SyncEntity:
    """One pushable entity.

    ``load``: the row by id, tombstones included, with its lock (None: no such row;
    ``NotFound`` when it exists but the caller may not see it). ``create`` adds the row
    ``Create`` describes under the REST create's rules. ``changes`` validates an update's
    data into domain-named values; ``current`` is the row's values by the same names;
    ``update`` applies merged values under the REST edit's rules. ``locked`` says a row
    takes no client edit (an approved order). ``same`` says a create's data describes
    the row as it is (a repeated create). ``ops`` are the ops it takes; one taken without
    its ``update``/``delete`` always finds the row locked (a recorded payment)."""

    name: str  # the wire name of a mutation's ``entity``
    kind: str  # its key in a pull's ``changes``
    render: Render
    wire: Callable[[str], str]  # a domain field name as the wire spells it
    load: Callable[[UnitOfWork, Principal, UUID], Awaitable[Synced | None]]
    create: Callable[[UnitOfWork, Principal, Create, Deps], Awaitable[Synced]]
    same: Callable[[Synced, Mapping[str, Any]], bool]
    locked: Callable[[Synced], bool]
    changes: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None
    current: Callable[[Synced], dict[str, Any]] | None = None
    ops: tuple[str, ...] = ("create",)
    update: Update | None = None
    delete: Delete | None = None


@dataclass(frozen=True, slots=True)
class Registry:
    """The pushable entities by wire name, and how every pulled kind is shown."""

    entities: Mapping[str, SyncEntity]
    renderers: Mapping[str, Render]  # every kind of ``SYNC_KINDS``
