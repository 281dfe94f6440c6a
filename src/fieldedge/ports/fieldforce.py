"""Repositories of the field-force resources. Like every repository they are built by a
unit of work for one tenant and filter by it; ``user_ids``/``owner_ids`` narrow further
to what the caller may see (a rep's own work, a manager's team), ``None`` meaning all of
the tenant's rows. Lists are keyset pages by id (UUIDv7, so creation order) of stored
rows (``Record``); soft-deleted rows (``deleted_at``) are left out unless asked for.
``get`` hands out an entity; ``lock=True`` also holds the row against concurrent writers
until the unit of work ends."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from fieldedge.domain.contacts import Contact, ContactType
from fieldedge.domain.geo import BoundingBox
from fieldedge.domain.orders import Order, OrderStatus
from fieldedge.domain.payments import Payment, PaymentMethod
from fieldedge.domain.photos import VisitPhoto
from fieldedge.domain.products import Product
from fieldedge.domain.search import SearchTerm
from fieldedge.domain.visits import Visit
from fieldedge.ports.records import Record


@dataclass(frozen=True, slots=True)
class ContactQuery:
    after: UUID | None = None
    limit: int = 20
    owner_ids: Collection[UUID] | None = None
    type: ContactType | None = None
    city: str | None = None  # case-insensitive equality
    tag: str | None = None
    q: SearchTerm | None = None  # folded substring of name or city, or digits of the phone
    box: BoundingBox | None = None  # only contacts with a location inside it
    territory_id: UUID | None = None  # in this territory or any of its descendants


@dataclass(frozen=True, slots=True)
class NearRing:
    """One probe of a near search: the centre, how far out, and where the page resumes."""

    lat: float
    lng: float
    within_m: float
    after: tuple[float, UUID] | None = None  # (distance, id) of the last contact served


@dataclass(frozen=True, slots=True)
class VisitQuery:
    after: UUID | None = None
    limit: int = 20
    user_ids: Collection[UUID] | None = None
    at_contacts_of: UUID | None = None  # ... or at a contact this user owns
    contact_id: UUID | None = None
    verified: bool | None = None
    since: datetime | None = None  # checked_in_at >= since
    until: datetime | None = None  # checked_in_at < until


@dataclass(frozen=True, slots=True)
class ProductQuery:
    after: UUID | None = None
    limit: int = 20
    active: bool | None = None
    q: str | None = None  # case-insensitive substring of name or sku


@dataclass(frozen=True, slots=True)
class OrderQuery:
    after: UUID | None = None
    limit: int = 20
    user_ids: Collection[UUID] | None = None
    contact_id: UUID | None = None
    status: OrderStatus | None = None
    with_balance: bool | None = None  # True: total > amount_paid


@dataclass(frozen=True, slots=True)
class PaymentQuery:
    after: UUID | None = None
    limit: int = 20
    user_ids: Collection[UUID] | None = None
    order_id: UUID | None = None
    method: PaymentMethod | None = None


class ContactRepository(Protocol):
    async def get(
        self, contact_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Contact | None: ...

    async def add(self, contact: Contact) -> None: ...

    async def save(self, contact: Contact) -> None: ...

    async def list(self, query: ContactQuery) -> Sequence[Record]:
        """With ``box`` set, every match inside it (up to ``limit``), in no order."""
        ...

    async def nearest(self, query: ContactQuery, around: NearRing) -> Sequence[Record]:
        """The matches of ``query`` (its ``box`` set to hold the ring's circle) within
        ``around.within_m`` of its centre and after its ``after`` position, closest first
        (ties by id), up to ``query.limit``; each record carries ``distance_m``
        (haversine, unrounded)."""
        ...

    async def find_duplicate(self, *, phone: str | None, email: str | None) -> Contact | None:
        """A live contact with this phone or email (imports deduplicate on it)."""
        ...


class VisitRepository(Protocol):
    async def get(
        self, visit_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Visit | None: ...

    async def add(self, visit: Visit) -> None: ...

    async def save(self, visit: Visit) -> None: ...

    async def list(self, query: VisitQuery) -> Sequence[Record]: ...

    async def previous_for(self, user_id: UUID, before: datetime) -> Visit | None:
        """The rep's latest check-in at or before ``before`` (impossible-travel check)."""
        ...


class PhotoRepository(Protocol):
    async def get(self, visit_id: UUID, photo_id: UUID) -> VisitPhoto | None: ...

    async def add(self, photo: VisitPhoto) -> None: ...

    async def save(self, photo: VisitPhoto) -> None: ...

    async def for_visit(self, visit_id: UUID) -> Sequence[VisitPhoto]: ...

    async def used_elsewhere(self, sha256: str, visit_id: UUID) -> bool:
        """True when a ready photo with this hash belongs to another visit of the tenant."""
        ...


class ProductRepository(Protocol):
    async def get(self, product_id: UUID, *, include_deleted: bool = False) -> Product | None: ...

    async def by_ids(self, product_ids: Collection[UUID]) -> Sequence[Product]:
        """Deleted and inactive ones included (an old order still shows what it sold)."""
        ...

    async def add(self, product: Product) -> None:
        """Raises ``Conflict`` when the SKU is taken in the company (at the latest when
        the unit of work writes it)."""
        ...

    async def save(self, product: Product) -> None:
        """Raises ``Conflict`` when a changed SKU is taken by another live product."""
        ...

    async def by_skus(self, skus: Collection[str]) -> Sequence[Product]:
        """The live products with these SKUs (an import's batch, in one read)."""
        ...

    async def add_many(self, products: Sequence[Product]) -> None:
        """Add products whose SKUs the caller has just read as free (``by_skus``), without
        a check per row; a SKU taken meanwhile is a ``Conflict`` at the latest at commit."""
        ...

    async def list(self, query: ProductQuery) -> Sequence[Record]: ...


class OrderRepository(Protocol):
    async def get(
        self, order_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Order | None: ...

    async def add(self, order: Order) -> None:
        """Its ``number`` is drawn at commit: gap-free and unique per company, in commit
        order, under the same brief lock as the version (a rollback takes it back)."""
        ...

    async def save(self, order: Order) -> None: ...

    async def list(self, query: OrderQuery) -> Sequence[Record]: ...


class PaymentRepository(Protocol):
    async def get(self, payment_id: UUID, *, include_deleted: bool = False) -> Payment | None: ...

    async def add(self, payment: Payment) -> None: ...

    async def list(self, query: PaymentQuery) -> Sequence[Record]: ...
