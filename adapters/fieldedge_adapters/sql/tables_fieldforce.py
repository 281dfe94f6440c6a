"""The field-force tables: contacts, visits and their photos, the catalogue, orders and
payments, each its domain entity with ``table=True``.

A field is redeclared only to give its column more than SQLModel infers: a foreign key,
a JSON or VARCHAR-enum type, BIGINT for money, or no single-column index where a
composite ``(company_id, …)`` one serves (every query filters by tenant first, so an
index that does not lead with ``company_id`` would go unused). Migration 0004 creates
exactly these (a test compares the migrated schema with this metadata).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field

from fieldedge.domain.contacts import Contact, ContactType
from fieldedge.domain.orders import Order, OrderStatus
from fieldedge.domain.payments import Payment, PaymentMethod
from fieldedge.domain.photos import PhotoStatus, VisitPhoto
from fieldedge.domain.products import Product
from fieldedge.domain.visits import Visit
from fieldedge_adapters.sql.tables import _tenant, _varchar_enum


def _ref(target: str, *, nullable: bool = False) -> Any:
    # No index of its own: the table's composite (company_id, <column>, …) index serves.
    return Field(default=None if nullable else ..., foreign_key=target)


def _money(default: int | None = 0) -> Any:
    # BIGINT: minor units of a large order exceed 2**31 (21 million rupees in paise).
    return Field(default=... if default is None else default, sa_type=sa.BigInteger)


def _ix(table: str, *columns: str) -> sa.Index:
    return sa.Index(f"ix_{table}_{'_'.join(columns)}", *columns)


class ContactRow(Contact, table=True):
    __tablename__ = "contacts"
    __table_args__ = (
        _ix("contacts", "company_id", "id"),
        _ix("contacts", "company_id", "owner_id", "id"),
        _ix("contacts", "company_id", "city"),
        _ix("contacts", "company_id", "latitude", "longitude"),
        _ix("contacts", "company_id", "phone"),  # find_duplicate
        _ix("contacts", "company_id", "email"),
    )

    company_id: UUID = _tenant(nullable=False)
    type: ContactType = Field(default=ContactType.OTHER, sa_type=_varchar_enum(ContactType))
    owner_id: UUID | None = _ref("users.id", nullable=True)
    city: str | None = Field(default=None, max_length=100)
    tags: list[str] = Field(default_factory=list, sa_type=sa.JSON)


class VisitRow(Visit, table=True):
    __tablename__ = "visits"
    __table_args__ = (
        _ix("visits", "company_id", "id"),
        _ix("visits", "company_id", "user_id", "id"),
        _ix("visits", "company_id", "user_id", "checked_in_at"),  # previous_for
        _ix("visits", "company_id", "contact_id"),
    )

    company_id: UUID = _tenant(nullable=False)
    contact_id: UUID = _ref("contacts.id")
    user_id: UUID = _ref("users.id")
    flags: list[str] = Field(default_factory=list, sa_type=sa.JSON)


class VisitPhotoRow(VisitPhoto, table=True):
    __tablename__ = "visit_photos"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "key", name="uq_visit_photos_company_id_key"),
        _ix("visit_photos", "company_id", "visit_id"),
        _ix("visit_photos", "company_id", "sha256"),
    )

    company_id: UUID = _tenant(nullable=False)
    visit_id: UUID = _ref("visits.id")
    sha256: str | None = Field(default=None, max_length=64)
    status: PhotoStatus = Field(default=PhotoStatus.PENDING, sa_type=_varchar_enum(PhotoStatus))


class ProductRow(Product, table=True):
    __tablename__ = "products"
    __table_args__ = (
        # Partial: a deleted product's SKU is free again (its tombstone stays for sync).
        sa.Index(
            "uq_products_company_id_sku",
            "company_id",
            "sku",
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        ),
        _ix("products", "company_id", "id"),
    )

    company_id: UUID = _tenant(nullable=False)
    unit_price: int = _money(None)


class OrderRow(Order, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "number", name="uq_orders_company_id_number"),
        _ix("orders", "company_id", "id"),
        _ix("orders", "company_id", "user_id", "id"),
        _ix("orders", "company_id", "contact_id"),
        _ix("orders", "company_id", "status"),
    )

    company_id: UUID = _tenant(nullable=False)
    contact_id: UUID = _ref("contacts.id")
    user_id: UUID = _ref("users.id")
    status: OrderStatus = Field(default=OrderStatus.PENDING, sa_type=_varchar_enum(OrderStatus))
    items: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    subtotal: int = _money()
    tax: int = _money()
    total: int = _money()
    amount_paid: int = _money()
    approved_by: UUID | None = _ref("users.id", nullable=True)
    rejected_by: UUID | None = _ref("users.id", nullable=True)
    cancelled_by: UUID | None = _ref("users.id", nullable=True)


class PaymentRow(Payment, table=True):
    __tablename__ = "payments"
    __table_args__ = (
        _ix("payments", "company_id", "id"),
        _ix("payments", "company_id", "user_id", "id"),
        _ix("payments", "company_id", "order_id"),
    )

    company_id: UUID = _tenant(nullable=False)
    order_id: UUID = _ref("orders.id")
    user_id: UUID = _ref("users.id")
    amount: int = _money(None)
    method: PaymentMethod = Field(sa_type=_varchar_enum(PaymentMethod))
