"""Create, read, edit, move and delete territories; check a contact's territory.

Every role of the company reads the whole tree (a rep needs to see where they work);
writing it is ``TERRITORY_WRITE`` (MANAGER, ADMIN). A parent, a contact's territory and
a rep must be this company's: anything else is a 422 on the field that names it.

A move reads the new parent's path to the root with each row's lock, so two moves that
would together close a loop (A under B while B goes under A) are applied one after the
other, and the second sees the first and is refused; a delete locks the territory and
refuses one that still has live children or contacts (409), and a create or a contact
naming a territory locks it too, so neither can slip under a territory being deleted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.identity import Role
from fieldedge.domain.territories import DEFAULT_KIND, Territory, check_move, normalize_kind
from fieldedge.errors import Conflict, ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.fieldforce import ContactQuery
from fieldedge.ports.territories import TerritoryQuery
from fieldedge.services.common import audit, commit_new, found, id_taken, new_id
from fieldedge.services.deps import Deps
from fieldedge.services.pagination import Page, after_id, page_by_id

REP_ROLES = frozenset({Role.SALES_REP, Role.MANAGER})
NO_TERRITORY = "No such territory in this company."


@dataclass(frozen=True, slots=True)
class CreateTerritory:
    name: str
    id: UUID | None = None  # a client-made id (offline creates)
    kind: str = DEFAULT_KIND
    parent_id: UUID | None = None
    rep_ids: Sequence[UUID] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TerritoryFilter:
    parent_id: UUID | None = None
    root: bool | None = None  # True: without a parent; False: with one
    kind: str | None = None
    rep_id: UUID | None = None


async def visible_territory(
    uow: UnitOfWork, territory_id: UUID, *, lock: bool = False
) -> Territory:
    return found(await uow.territories.get(territory_id, lock=lock), "territory")


async def check_territory(uow: UnitOfWork, territory_id: UUID, field_name: str) -> Territory:
    """The live territory ``territory_id`` of this company, held locked (so it is not
    deleted under what now refers to it); a 422 on ``field_name`` otherwise."""
    territory = await uow.territories.get(territory_id, lock=True)
    if territory is None:
        raise ValidationFailed(details={field_name: [NO_TERRITORY]})
    return territory


async def _parent_path(uow: UnitOfWork, parent_id: UUID) -> list[UUID]:
    """The parent and its ancestors up to the root, each read with its lock; a parent
    that is not a live territory of this company is a 422 on ``parentId``."""
    path: list[UUID] = []
    node: UUID | None = parent_id
    while node is not None and node not in path:
        territory = await uow.territories.get(node, lock=True)
        if territory is None:
            if not path:
                raise ValidationFailed(details={"parentId": [NO_TERRITORY]})
            break  # a deleted ancestor: nothing above it can loop back
        path.append(territory.id)
        node = territory.parent_id
    return path


async def _check_reps(uow: UnitOfWork, rep_ids: Sequence[UUID]) -> None:
    details: dict[str, list[str]] = {}
    for index, rep_id in enumerate(rep_ids):
        user = await uow.users.get(rep_id)
        if user is None or not user.active or user.role not in REP_ROLES:
            details[f"repIds.{index}"] = ["Must be an active SALES_REP or MANAGER of this company."]
    if details:
        raise ValidationFailed(details=details)


async def get_territory(principal: Principal, territory_id: UUID, deps: Deps) -> Territory:
    require(principal, Action.TERRITORY_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        return await visible_territory(uow, territory_id)


async def list_territories(
    principal: Principal, filters: TerritoryFilter, cursor: str | None, limit: int, deps: Deps
) -> Page[Any]:
    require(principal, Action.TERRITORY_READ)
    query = TerritoryQuery(
        after=after_id(cursor),
        limit=limit + 1,
        parent_id=filters.parent_id,
        root=filters.root,
        kind=normalize_kind(filters.kind) if filters.kind else None,
        rep_id=filters.rep_id,
    )
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        rows = await uow.territories.list(query)
    return page_by_id(rows, limit)


async def create_territory(principal: Principal, cmd: CreateTerritory, deps: Deps) -> Territory:
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        territory = await new_territory(uow, principal, cmd, deps)
        await commit_new(uow, cmd.id)
    return territory


async def new_territory(
    uow: UnitOfWork, principal: Principal, cmd: CreateTerritory, deps: Deps
) -> Territory:
    """The territory ``cmd`` describes, added to ``uow`` (REST and sync create alike)."""
    require(principal, Action.TERRITORY_WRITE)
    now = deps.clock.now()
    territory_id = new_id(deps, cmd.id)
    if cmd.id is not None and await uow.territories.get(cmd.id, include_deleted=True):
        raise id_taken()
    territory = Territory(
        id=territory_id,
        company_id=principal.tenant,
        name=cmd.name,
        kind=cmd.kind,
        parent_id=cmd.parent_id,
        rep_ids=[str(rep) for rep in cmd.rep_ids],
        created_at=now,
        updated_at=now,
    )
    if cmd.parent_id is not None:
        await check_territory(uow, cmd.parent_id, "parentId")
    await _check_reps(uow, territory.reps)
    await uow.territories.add(territory)
    await audit(
        uow,
        deps,
        "territory.created",
        actor=principal,
        entity="territory",
        entity_id=territory.id,
        detail={"parentId": str(cmd.parent_id) if cmd.parent_id else None},
    )
    return territory


async def update_territory(
    principal: Principal, territory_id: UUID, changes: Mapping[str, Any], deps: Deps
) -> Territory:
    """``changes`` holds only the fields the client sent, by their domain names."""
    require(principal, Action.TERRITORY_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        territory = await visible_territory(uow, territory_id, lock=True)
        await change_territory(uow, principal, territory, changes, deps)
        await uow.commit()
    return territory


async def change_territory(
    uow: UnitOfWork,
    principal: Principal,
    territory: Territory,
    changes: Mapping[str, Any],
    deps: Deps,
) -> None:
    """Apply ``changes`` to ``territory`` (read with its lock): a new ``parent_id`` is a
    move, refused when it would make the territory its own ancestor; ``rep_ids``
    replaces the whole assignment."""
    require(principal, Action.TERRITORY_WRITE)
    before_parent = territory.parent_id
    parent = changes.get("parent_id", before_parent)
    if "parent_id" in changes and parent is not None and parent != before_parent:
        check_move(territory.id, await _parent_path(uow, parent))
    territory.apply(changes)
    if "rep_ids" in changes:
        await _check_reps(uow, territory.reps)
    if not territory.changes():
        return  # an edit that changes nothing writes nothing
    territory.updated_at = deps.clock.now()
    await uow.territories.save(territory)
    moved = territory.parent_id != before_parent
    await audit(
        uow,
        deps,
        "territory.moved" if moved else "territory.updated",
        actor=principal,
        entity="territory",
        entity_id=territory.id,
        detail={"fields": sorted(changes)}
        | ({"from": _text(before_parent), "to": _text(territory.parent_id)} if moved else {}),
    )


def _text(value: UUID | None) -> str | None:
    return str(value) if value is not None else None


async def delete_territory(principal: Principal, territory_id: UUID, deps: Deps) -> Territory:
    """A tombstone; refused (409) while live territories or contacts are under it."""
    require(principal, Action.TERRITORY_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        territory = await visible_territory(uow, territory_id, lock=True)
        await remove_territory(uow, principal, territory, deps)
        await uow.commit()
    return territory


async def remove_territory(
    uow: UnitOfWork, principal: Principal, territory: Territory, deps: Deps
) -> None:
    require(principal, Action.TERRITORY_WRITE)
    if await uow.territories.has_children(territory.id):
        raise Conflict("Move or delete this territory's child territories first.")
    # No children: the subtree is the territory itself, so this is its own contacts.
    if await uow.contacts.list(ContactQuery(territory_id=territory.id, limit=1)):
        raise Conflict("Move this territory's contacts to another territory first.")
    now = deps.clock.now()
    territory.apply({"deleted_at": now, "updated_at": now})
    await uow.territories.save(territory)
    await audit(
        uow, deps, "territory.deleted", actor=principal, entity="territory", entity_id=territory.id
    )
