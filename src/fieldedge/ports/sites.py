"""The site repository. Tenant-bound like every repository; every role of the company
reads every site (a technician is sent to any customer's), so nothing narrows by caller."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from fieldedge.domain.geo import BoundingBox
from fieldedge.domain.sites import Site
from fieldedge.ports.records import Record


@dataclass(frozen=True, slots=True)
class SiteQuery:
    after: UUID | None = None
    limit: int = 20
    contact_id: UUID | None = None
    parent_id: UUID | None = None  # direct children of this site
    root: bool | None = None  # True: no parent; False: a parent
    q: str | None = None  # case-insensitive substring of name or address
    box: BoundingBox | None = None  # only sites with a location inside it


class SiteRepository(Protocol):
    async def get(
        self, site_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Site | None: ...

    async def add(self, site: Site) -> None: ...

    async def save(self, site: Site) -> None: ...

    async def list(self, query: SiteQuery) -> Sequence[Record]: ...

    async def has_children(self, site_id: UUID) -> bool:
        """True when a live site has ``site_id`` as its parent."""
        ...
