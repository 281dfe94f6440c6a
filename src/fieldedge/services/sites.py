"""Create, read, list, search near, edit, move and delete customer sites.

Every role of the company reads every site (a technician is sent to any customer's);
writing them is ``SITE_WRITE`` (MANAGER, ADMIN). A site's contact must be a live contact
of this company, and its parent a live site of the same contact: anything else is a 422
on the field that names it.

A move reads the new parent's path to the root with each row's lock, so two moves that
would together close a loop are applied one after the other and the second is refused
(422 on ``parentId``), as territories do; a delete locks the site and refuses one that
still has live child sites or equipment (409).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.geo import bounding_box, parse_near
from fieldedge.domain.sites import Site, check_move
from fieldedge.errors import Conflict, ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.equipment import EquipmentQuery
from fieldedge.ports.records import Record
from fieldedge.ports.sites import SiteQuery
from fieldedge.services.common import audit, commit_new, found, id_taken, new_id
from fieldedge.services.deps import Deps
from fieldedge.services.near_candidates import NEAR_CANDIDATES, by_distance
from fieldedge.services.pagination import Page, after_id, page_by_id

NO_SITE = "No such site in this company."
OTHER_CONTACT = "The parent site belongs to another contact."


@dataclass(frozen=True, slots=True)
class CreateSite:
    contact_id: UUID
    name: str
    id: UUID | None = None  # a client-made id (offline creates)
    parent_id: UUID | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class SiteFilter:
    contact_id: UUID | None = None
    parent_id: UUID | None = None
    root: bool | None = None
    q: str | None = None


def _query(filters: SiteFilter) -> SiteQuery:
    return SiteQuery(
        contact_id=filters.contact_id, parent_id=filters.parent_id, root=filters.root, q=filters.q
    )


async def visible_site(uow: UnitOfWork, site_id: UUID, *, lock: bool = False) -> Site:
    return found(await uow.sites.get(site_id, lock=lock), "site")


async def check_site(uow: UnitOfWork, site_id: UUID, field_name: str) -> Site:
    """The live site ``site_id`` of this company, held locked (so it is not deleted under
    what now refers to it); a 422 on ``field_name`` otherwise."""
    site = await uow.sites.get(site_id, lock=True)
    if site is None:
        raise ValidationFailed(details={field_name: [NO_SITE]})
    return site


async def _parent_path(uow: UnitOfWork, site: Site, parent_id: UUID) -> list[UUID]:
    """The parent and its ancestors up to the root, each read with its lock. The parent
    must be a live site of the site's own contact (a 422 on ``parentId``)."""
    parent = await check_site(uow, parent_id, "parentId")
    if parent.contact_id != site.contact_id:
        raise ValidationFailed(details={"parentId": [OTHER_CONTACT]})
    path = [parent.id]
    node = parent.parent_id
    while node is not None and node not in path:
        above = await uow.sites.get(node, lock=True)
        if above is None:
            break  # a deleted ancestor: nothing above it can loop back
        path.append(above.id)
        node = above.parent_id
    return path


async def get_site(principal: Principal, site_id: UUID, deps: Deps) -> Site:
    require(principal, Action.SITE_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        return await visible_site(uow, site_id)


async def list_sites(
    principal: Principal, filters: SiteFilter, cursor: str | None, limit: int, deps: Deps
) -> Page[Any]:
    require(principal, Action.SITE_READ)
    query = replace(_query(filters), after=after_id(cursor), limit=limit + 1)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        rows = await uow.sites.list(query)
    return page_by_id(rows, limit)


async def near_sites(
    principal: Principal,
    filters: SiteFilter,
    near: str,
    radius_km: float,
    cursor: str | None,
    limit: int,
    deps: Deps,
) -> Page[Record]:
    """Sites within ``radius_km`` of ``near`` (``lat,lng``), closest first, each with
    its ``distance_m``; the same box prefilter and cursor as contacts' ``?near=``."""
    require(principal, Action.SITE_READ)
    lat, lng, radius_m = parse_near(near, radius_km)
    box = bounding_box(lat, lng, radius_m)
    query = replace(_query(filters), box=box, limit=NEAR_CANDIDATES + 1)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        candidates = await uow.sites.list(query)
    measured, next_cursor = by_distance(candidates, lat, lng, radius_m, cursor, limit, "sites")
    items: list[Record] = [{**row, "distance_m": distance} for row, distance in measured]
    return Page(items=items, limit=limit, next_cursor=next_cursor)


async def create_site(principal: Principal, cmd: CreateSite, deps: Deps) -> Site:
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        site = await new_site(uow, principal, cmd, deps)
        await commit_new(uow, cmd.id)
    return site


async def new_site(uow: UnitOfWork, principal: Principal, cmd: CreateSite, deps: Deps) -> Site:
    """The site ``cmd`` describes, added to ``uow`` (REST and sync create alike)."""
    require(principal, Action.SITE_WRITE)
    now = deps.clock.now()
    if cmd.id is not None and await uow.sites.get(cmd.id, include_deleted=True):
        raise id_taken()
    site = Site(
        id=new_id(deps, cmd.id),
        company_id=principal.tenant,
        contact_id=cmd.contact_id,
        parent_id=cmd.parent_id,
        name=cmd.name,
        address=cmd.address,
        latitude=cmd.latitude,
        longitude=cmd.longitude,
        created_at=now,
        updated_at=now,
    )
    if await uow.contacts.get(cmd.contact_id, lock=True) is None:
        raise ValidationFailed(details={"contactId": ["No such contact in this company."]})
    if cmd.parent_id is not None:
        await _parent_path(uow, site, cmd.parent_id)
    await uow.sites.add(site)
    await audit(
        uow,
        deps,
        "site.created",
        actor=principal,
        entity="site",
        entity_id=site.id,
        detail={"contactId": str(site.contact_id), "parentId": _text(site.parent_id)},
    )
    return site


async def update_site(
    principal: Principal, site_id: UUID, changes: Mapping[str, Any], deps: Deps
) -> Site:
    """``changes`` holds only the fields the client sent, by their domain names."""
    require(principal, Action.SITE_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        site = await visible_site(uow, site_id, lock=True)
        await change_site(uow, principal, site, changes, deps)
        await uow.commit()
    return site


async def change_site(
    uow: UnitOfWork, principal: Principal, site: Site, changes: Mapping[str, Any], deps: Deps
) -> None:
    """Apply ``changes`` to ``site`` (read with its lock): a new ``parent_id`` is a move,
    refused when it would make the site its own ancestor."""
    require(principal, Action.SITE_WRITE)
    before_parent = site.parent_id
    parent = changes.get("parent_id", before_parent)
    if "parent_id" in changes and parent is not None and parent != before_parent:
        check_move(site.id, await _parent_path(uow, site, parent))
    site.apply(changes)
    if not site.changes():
        return  # an edit that changes nothing writes nothing
    site.updated_at = deps.clock.now()
    await uow.sites.save(site)
    moved = site.parent_id != before_parent
    await audit(
        uow,
        deps,
        "site.moved" if moved else "site.updated",
        actor=principal,
        entity="site",
        entity_id=site.id,
        detail={"fields": sorted(changes)}
        | ({"from": _text(before_parent), "to": _text(site.parent_id)} if moved else {}),
    )


def _text(value: UUID | None) -> str | None:
    return str(value) if value is not None else None


async def delete_site(principal: Principal, site_id: UUID, deps: Deps) -> Site:
    """A tombstone; refused (409) while live sites or equipment are under it."""
    require(principal, Action.SITE_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        site = await visible_site(uow, site_id, lock=True)
        await remove_site(uow, principal, site, deps)
        await uow.commit()
    return site


async def remove_site(uow: UnitOfWork, principal: Principal, site: Site, deps: Deps) -> None:
    require(principal, Action.SITE_WRITE)
    if await uow.sites.has_children(site.id):
        raise Conflict("Move or delete this site's child sites first.")
    if await uow.equipment.list(EquipmentQuery(site_id=site.id, limit=1)):
        raise Conflict("Move or delete this site's equipment first.")
    now = deps.clock.now()
    site.apply({"deleted_at": now, "updated_at": now})
    await uow.sites.save(site)
    await audit(uow, deps, "site.deleted", actor=principal, entity="site", entity_id=site.id)
