"""Contact lists: filters and keyset pages by id, or ``?near=`` sorted by true distance.

Near search pages by ``(distance, id)``. The database measures (haversine) only the
contacts inside the bounding box of a ring around the centre, keeps those within the
ring's radius and after the cursor, and returns the closest ``limit + 1``. The first
ring is small (``FIRST_RING_M``, or just past the cursor's distance); while it yields
less than a page and is smaller than the asked radius, it widens fourfold. Every
contact closer than the ring's radius is inside its box, so a full page from a ring is
exactly the next page of the whole circle. The work is the contacts of the last ring's
box: it grows with the page asked for (and how dense the area is), not with the tenant.

A near cursor names its query (a digest of the centre, radius and filters): sent with
another query it is a 422, as a by-id cursor is to a near list and back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import astuple, dataclass, replace
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.contacts import ContactType
from fieldedge.domain.geo import bounding_box, parse_near
from fieldedge.domain.search import parse_search
from fieldedge.errors import ValidationFailed
from fieldedge.ports.database import Scope
from fieldedge.ports.fieldforce import ContactQuery, NearRing
from fieldedge.ports.records import Record
from fieldedge.services.deps import Deps
from fieldedge.services.pagination import Page, after_id, decode_cursor, encode_cursor, page_by_id
from fieldedge.services.visibility import contact_owners, narrowed

FIRST_RING_M = 500.0
RING_GROWTH = 4.0


@dataclass(frozen=True, slots=True)
class ContactFilter:
    q: str | None = None
    type: ContactType | None = None
    owner_id: UUID | None = None
    city: str | None = None
    tag: str | None = None
    territory_id: UUID | None = None  # this territory and every one below it


@dataclass(frozen=True, slots=True)
class Near:
    """A contact and its distance in metres from the ``?near=`` point."""

    contact: Record
    distance_m: float

    @property
    def id(self) -> UUID:
        return UUID(str(self.contact["id"]))


def _owners(principal: Principal, owner_id: UUID | None) -> Collection[UUID] | None:
    """The caller's scope narrowed by ``?ownerId=`` (an empty set: nothing to see)."""
    return narrowed(contact_owners(principal), owner_id)


def _query(principal: Principal, filters: ContactFilter) -> ContactQuery:
    tag = filters.tag.strip().lower() if filters.tag else None
    return ContactQuery(
        owner_ids=_owners(principal, filters.owner_id),
        type=filters.type,
        city=filters.city,
        tag=tag,
        q=parse_search(filters.q) if filters.q else None,
        territory_id=filters.territory_id,
    )


async def list_contacts(
    principal: Principal, filters: ContactFilter, cursor: str | None, limit: int, deps: Deps
) -> Page[Record]:
    require(principal, Action.CONTACT_READ)
    query = replace(_query(principal, filters), after=after_id(cursor), limit=limit + 1)
    if query.owner_ids is not None and not query.owner_ids:
        return Page(items=[], limit=limit, next_cursor=None)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        rows = await uow.contacts.list(query)
    return page_by_id(rows, limit)


def _query_key(filters: ContactFilter, lat: float, lng: float, radius_m: float) -> str:
    """What a near cursor belongs to: the same centre, radius and filters."""
    text = repr((lat, lng, radius_m, astuple(filters)))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _near_after(cursor: str | None, key: str) -> tuple[float, UUID] | None:
    position = decode_cursor(cursor)
    if position is None:
        return None
    if position.get("near") != key:
        raise ValidationFailed(details={"cursor": ["This cursor belongs to another query."]})
    try:
        return float(position["d"]), UUID(str(position["id"]))
    except (KeyError, TypeError, ValueError):
        raise ValidationFailed(details={"cursor": ["Not a cursor this API issued."]}) from None


async def near_contacts(
    principal: Principal,
    filters: ContactFilter,
    near: str,
    radius_km: float,
    cursor: str | None,
    limit: int,
    deps: Deps,
) -> Page[Near]:
    """Contacts within ``radius_km`` of ``near`` (``lat,lng``), closest first."""
    require(principal, Action.CONTACT_READ)
    lat, lng, radius_m = parse_near(near, radius_km)
    key = _query_key(filters, lat, lng, radius_m)
    after = _near_after(cursor, key)
    base = replace(_query(principal, filters), limit=limit + 1)
    if base.owner_ids is not None and not base.owner_ids:
        return Page(items=[], limit=limit, next_cursor=None)
    ring = FIRST_RING_M + (after[0] * 1.25 if after is not None else 0.0)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        while True:
            ring = min(ring, radius_m)
            query = replace(base, box=bounding_box(lat, lng, ring))
            rows = await uow.contacts.nearest(query, NearRing(lat, lng, ring, after))
            if len(rows) > limit or ring >= radius_m:
                break
            ring *= RING_GROWTH
    items = [Near(row, round(float(row["distance_m"]), 1)) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        position = {"near": key, "d": float(last["distance_m"]), "id": str(last["id"])}
        next_cursor = encode_cursor(position)
    return Page(items=items, limit=limit, next_cursor=next_cursor)
