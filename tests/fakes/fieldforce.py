"""The field-force repositories in memory: the same filters as the SQL statements.

Lists are keyset pages by id of live rows (``deleted_at`` NULL), handed out as
``Record`` copies. Text search is a case-insensitive substring with ``%`` and ``_``
taken literally; ``city`` is case-insensitive equality; ``tag`` is membership of the
normalised tag; the ``box`` keeps contacts with a location inside its latitude range and
one of its longitude ranges (two across the antimeridian), bounds included.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from fieldedge.domain.contacts import Contact
from fieldedge.domain.geo import haversine_m
from fieldedge.domain.orders import Order
from fieldedge.domain.payments import Payment
from fieldedge.domain.photos import PhotoStatus, VisitPhoto
from fieldedge.domain.products import Product
from fieldedge.domain.search import SearchTerm, fold
from fieldedge.domain.visits import Visit
from fieldedge.errors import Conflict
from fieldedge.ports.fieldforce import (
    ContactQuery,
    NearRing,
    OrderQuery,
    PaymentQuery,
    ProductQuery,
    VisitQuery,
)
from fieldedge.ports.records import Record

from .repo import MemoryRepository, contains_text, equals, one_of, where
from .store import CONTACTS, ORDERS, PAYMENTS, PHOTOS, PRODUCTS, VISITS, Row
from .territories import subtree

SKU_TAKEN = "A product with this SKU already exists."


def _in_box(query: ContactQuery, row: Row) -> bool:
    box = query.box
    if box is None:
        return True
    lat, lng = row["latitude"], row["longitude"]
    return (
        lat is not None
        and lng is not None
        and box.min_lat <= lat <= box.max_lat
        and any(lo <= lng <= hi for lo, hi in box.lng_ranges)
    )


def _contact_matches(query: ContactQuery, row: Row) -> bool:
    tag = " ".join(query.tag.split()).lower() if query.tag else None
    city = row["city"]
    return (
        one_of(row["owner_id"], query.owner_ids)
        and (query.type is None or row["type"] == query.type)
        and (not query.city or (city is not None and fold(city) == fold(query.city)))
        and (tag is None or tag in row["tags"])
        and (query.q is None or _searched(query.q, row))
        and _in_box(query, row)
    )


def _searched(term: SearchTerm, row: Row) -> bool:
    texts = (row["name"], row["city"])
    if any(text is not None and term.text in fold(text) for text in texts):
        return True
    phone = row["phone"]
    return term.digits is not None and phone is not None and term.digits in phone.lstrip("+")


class MemoryContactRepository(MemoryRepository[Contact]):
    table, model = CONTACTS, Contact

    async def get(
        self, contact_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Contact | None:
        return await self._get(contact_id, include_deleted=include_deleted, lock=lock)

    async def add(self, contact: Contact) -> None:
        self._add(contact)

    async def save(self, contact: Contact) -> None:
        self._save(contact)

    async def list(self, query: ContactQuery) -> Sequence[Record]:
        root = query.territory_id
        inside = None if root is None else await subtree(self._txn, root)
        rows = await self._list(
            lambda row: (
                _contact_matches(query, row) and (inside is None or row["territory_id"] in inside)
            ),
            after=query.after,
            limit=query.limit,
        )
        return [self._record(row) for row in rows]

    async def nearest(self, query: ContactQuery, around: NearRing) -> Sequence[Record]:
        everyone = await self.list(replace(query, after=None, limit=sys.maxsize))
        measured = []
        for row in everyone:
            d = haversine_m(around.lat, around.lng, row["latitude"], row["longitude"])
            if d <= around.within_m and (around.after is None or (d, row["id"]) > around.after):
                measured.append({**row, "distance_m": d})
        measured.sort(key=lambda row: (row["distance_m"], row["id"]))
        return measured[: query.limit]

    async def find_duplicate(self, *, phone: str | None, email: str | None) -> Contact | None:
        if not phone and not email:
            return None
        wanted = email.strip().lower() if email else None

        def same(row: Row) -> bool:
            stored = row["email"]
            return bool(phone and row["phone"] == phone) or (
                wanted is not None and stored is not None and stored.lower() == wanted
            )

        rows = await self._list(same, after=None, limit=1)
        return self._entity(rows[0]) if rows else None


class MemoryVisitRepository(MemoryRepository[Visit]):
    table, model = VISITS, Visit

    async def get(
        self, visit_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Visit | None:
        return await self._get(visit_id, include_deleted=include_deleted, lock=lock)

    async def add(self, visit: Visit) -> None:
        self._add(visit)

    async def save(self, visit: Visit) -> None:
        self._save(visit)

    async def list(self, query: VisitQuery) -> Sequence[Record]:
        theirs: set[UUID] = set()
        if query.at_contacts_of is not None:
            contacts = await self._txn.rows(CONTACTS)
            theirs = {c["id"] for c in contacts if c["owner_id"] == query.at_contacts_of}

        def mine(row: Row) -> bool:
            if query.user_ids is None and query.at_contacts_of is None:
                return True
            return (query.user_ids is not None and row["user_id"] in set(query.user_ids)) or (
                row["contact_id"] in theirs
            )

        test = where(
            mine,
            lambda row: query.contact_id is None or row["contact_id"] == query.contact_id,
            lambda row: query.verified is None or row["verified"] == query.verified,
            lambda row: query.since is None or row["checked_in_at"] >= query.since,
            lambda row: query.until is None or row["checked_in_at"] < query.until,
        )
        rows = await self._list(test, after=query.after, limit=query.limit)
        return [self._record(row) for row in rows]

    async def previous_for(self, user_id: UUID, before: datetime) -> Visit | None:
        rows = await self._rows(
            where(self._live, equals("user_id", user_id), lambda r: r["checked_in_at"] <= before)
        )
        latest = max(rows, key=lambda row: (row["checked_in_at"], row["id"]), default=None)
        return self._entity(latest) if latest is not None else None


class MemoryPhotoRepository(MemoryRepository[VisitPhoto]):
    table, model, soft_delete = PHOTOS, VisitPhoto, False  # lives and dies with its visit

    async def get(self, visit_id: UUID, photo_id: UUID) -> VisitPhoto | None:
        row = await self._txn.row(self.table, photo_id)
        return self._entity(row) if row is not None and row["visit_id"] == visit_id else None

    async def add(self, photo: VisitPhoto) -> None:
        self._add(photo)

    async def save(self, photo: VisitPhoto) -> None:
        self._save(photo)

    async def for_visit(self, visit_id: UUID) -> Sequence[VisitPhoto]:
        rows = await self._rows(equals("visit_id", visit_id))
        return [self._entity(row) for row in sorted(rows, key=lambda row: row["id"])]

    async def used_elsewhere(self, sha256: str, visit_id: UUID) -> bool:
        return bool(
            await self._rows(
                where(
                    equals("sha256", sha256),
                    equals("status", PhotoStatus.READY),
                    lambda row: row["visit_id"] != visit_id,
                )
            )
        )


class MemoryProductRepository(MemoryRepository[Product]):
    table, model = PRODUCTS, Product

    async def get(self, product_id: UUID, *, include_deleted: bool = False) -> Product | None:
        return await self._get(product_id, include_deleted=include_deleted)

    async def by_ids(self, product_ids: Collection[UUID]) -> Sequence[Product]:
        if not product_ids:
            return []
        rows = await self._rows(lambda row: one_of(row["id"], product_ids))
        return [self._entity(row) for row in sorted(rows, key=lambda row: row["id"])]

    async def _check_sku(self, product: Product) -> None:
        # Up front, as in SQL: the clash is the caller's 409 now, not a failed commit.
        taken = where(self._live, equals("sku", product.sku), lambda row: row["id"] != product.id)
        if await self._rows(taken):
            raise Conflict(SKU_TAKEN)

    async def add(self, product: Product) -> None:
        await self._check_sku(product)
        self._add(product)

    async def save(self, product: Product) -> None:
        if "sku" in product.changes():
            await self._check_sku(product)
        self._save(product)

    async def by_skus(self, skus: Collection[str]) -> Sequence[Product]:
        rows = await self._rows(where(self._live, lambda row: row["sku"] in skus))
        return [self._entity(row) for row in rows]

    async def add_many(self, products: Sequence[Product]) -> None:
        for product in products:
            self._add(product)

    async def list(self, query: ProductQuery) -> Sequence[Record]:
        test = where(
            lambda row: query.active is None or row["active"] == query.active,
            lambda row: not query.q or contains_text(query.q, row["name"], row["sku"]),
        )
        rows = await self._list(test, after=query.after, limit=query.limit)
        return [self._record(row) for row in rows]


class MemoryOrderRepository(MemoryRepository[Order]):
    table, model = ORDERS, Order

    async def get(
        self, order_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Order | None:
        return await self._get(order_id, include_deleted=include_deleted, lock=lock)

    async def add(self, order: Order) -> None:
        self._add(order)  # numbered by commit

    async def save(self, order: Order) -> None:
        self._save(order)

    async def list(self, query: OrderQuery) -> Sequence[Record]:
        owing = query.with_balance
        test = where(
            lambda row: one_of(row["user_id"], query.user_ids),
            lambda row: query.contact_id is None or row["contact_id"] == query.contact_id,
            lambda row: query.status is None or row["status"] == query.status,
            lambda row: owing is None or (row["total"] > row["amount_paid"]) == owing,
        )
        rows = await self._list(test, after=query.after, limit=query.limit)
        return [self._record(row) for row in rows]


class MemoryPaymentRepository(MemoryRepository[Payment]):
    table, model = PAYMENTS, Payment

    async def get(self, payment_id: UUID, *, include_deleted: bool = False) -> Payment | None:
        return await self._get(payment_id, include_deleted=include_deleted)

    async def add(self, payment: Payment) -> None:
        self._add(payment)

    async def list(self, query: PaymentQuery) -> Sequence[Record]:
        test = where(
            lambda row: one_of(row["user_id"], query.user_ids),
            lambda row: query.order_id is None or row["order_id"] == query.order_id,
            lambda row: query.method is None or row["method"] == query.method,
        )
        rows = await self._list(test, after=query.after, limit=query.limit)
        return [self._record(row) for row in rows]
