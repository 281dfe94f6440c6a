"""Contact lists: filters and keyset pages by id, or ``?near=`` sorted by true distance.

Near-search asks the repository for every contact whose position lies in the bounding
box of the circle (an index-friendly prefilter), measures each with haversine, drops
those beyond the radius and pages the sorted list with a ``{d, id}`` cursor. The box is
capped at ``NEAR_CANDIDATES`` contacts: a box holding more is refused with a 422 asking
for a smaller radius, because answering from a truncated candidate set could silently
leave out the closest contacts.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.contacts import ContactType
from fieldedge.domain.geo import bounding_box, haversine_m, parse_near
from fieldedge.domain.search import parse_search
from fieldedge.errors import ValidationFailed
from fieldedge.ports.database import Scope
from fieldedge.ports.fieldforce import ContactQuery
from fieldedge.ports.records import Record
from fieldedge.services.deps import Deps
from fieldedge.services.pagination import Page, after_id, decode_cursor, encode_cursor, page_by_id
from fieldedge.services.visibility import contact_owners, narrowed

NEAR_CANDIDATES = 2000


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


def _near_after(cursor: str | None) -> tuple[float, UUID] | None:
    position = decode_cursor(cursor)
    if position is None:
        return None
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
    after = _near_after(cursor)
    query = replace(
        _query(principal, filters), box=bounding_box(lat, lng, radius_m), limit=NEAR_CANDIDATES + 1
    )
    if query.owner_ids is not None and not query.owner_ids:
        return Page(items=[], limit=limit, next_cursor=None)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        candidates = await uow.contacts.list(query)
    if len(candidates) > NEAR_CANDIDATES:
        raise ValidationFailed(
            details={
                "radiusKm": [f"Over {NEAR_CANDIDATES} contacts in this area; use a smaller radius."]
            }
        )
    measured = sorted(
        (
            (haversine_m(lat, lng, c["latitude"], c["longitude"]), UUID(str(c["id"])), c)
            for c in candidates
            if c["latitude"] is not None and c["longitude"] is not None
        ),
        key=lambda row: (row[0], row[1]),
    )
    inside = [row for row in measured if row[0] <= radius_m]
    if after is not None:
        inside = [row for row in inside if (row[0], row[1]) > after]
    items = [Near(contact, round(d, 1)) for d, _, contact in inside[:limit]]
    next_cursor = None
    if len(inside) > limit:
        d, last_id, _ = inside[limit - 1]
        next_cursor = encode_cursor({"d": d, "id": str(last_id)})
    return Page(items=items, limit=limit, next_cursor=next_cursor)
