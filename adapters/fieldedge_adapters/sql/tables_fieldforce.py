"""The field-force tables: contacts, visits and their photos, the catalogue, orders and
payments.

Every index leads with ``company_id`` (each query filters by tenant first, so an index
that does not would go unused). Money is BIGINT. Migration 0004 (and 0005) create
exactly these (a test compares the migrated schema with this metadata).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from fieldedge.domain.contacts import ContactType
from fieldedge.domain.orders import OrderStatus
from fieldedge.domain.payments import PaymentMethod
from fieldedge.domain.photos import PhotoStatus
from fieldedge_adapters.sql.tables import tenant, varchar_enum


def ref(target: str, *, nullable: bool = False) -> Any:
    # No index of its own: the table's composite (company_id, <column>, …) index serves.
    return Field(default=None if nullable else ..., foreign_key=target)


def money(default: int | None = 0) -> Any:
    # BIGINT: minor units of a large order exceed 2**31 (21 million rupees in paise).
    return Field(default=... if default is None else default, sa_type=sa.BigInteger)


def ix(table: str, *columns: str) -> sa.Index:
    return sa.Index(f"ix_{table}_{'_'.join(columns)}", *columns)


def field_versions() -> Any:
    # Adapter-only: the version at which each field last changed (0: at the row's own
    # version), kept by the repositories for sync's field-level conflicts.
    return Field(default_factory=dict, sa_type=sa.JSON)


class ContactRow(SQLModel, table=True):
    __tablename__ = "contacts"
    __table_args__ = (
        ix("contacts", "company_id", "id"),
        ix("contacts", "company_id", "version"),  # sync pulls
        ix("contacts", "company_id", "owner_id", "id"),
        ix("contacts", "company_id", "city"),
        ix("contacts", "company_id", "latitude", "longitude"),
        ix("contacts", "company_id", "phone"),  # find_duplicate
        ix("contacts", "company_id", "email"),
        ix("contacts", "company_id", "territory_id"),  # ?territoryId= (0008)
        ix("contacts", "company_id", "created_by", "created_at"),  # targets: new contacts
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    type: ContactType = Field(default=ContactType.OTHER, sa_type=varchar_enum(ContactType))
    owner_id: UUID | None = ref("users.id", nullable=True)
    territory_id: UUID | None = ref("territories.id", nullable=True)  # migration 0008
    created_by: UUID | None = ref("users.id", nullable=True)
    name: str = Field(max_length=200)
    phone: str | None = Field(default=None, max_length=16)
    email: str | None = Field(default=None, max_length=254)
    address: str | None = Field(default=None, max_length=500)
    city: str | None = Field(default=None, max_length=100)
    latitude: float | None = None
    longitude: float | None = None
    tags: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    notes: str | None = Field(default=None, max_length=2000)
    version: int = 0
    field_versions: dict[str, int] = field_versions()
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


def _postgres_only(name: str, *elements: Any, **options: Any) -> sa.Index:
    """An index migration 0012 builds on Postgres alone (Alembic cannot reflect an
    expression index from SQLite, so it compares these on Postgres only:
    ``EXPRESSION_INDEX_SKIPPED`` is the warning it gives when it skips them)."""
    return sa.Index(name, *elements, **options)


EXPRESSION_INDEX_SKIPPED = "autogenerate skipping metadata-specified expression-based index"


def _trigram(name: str, expression: Any) -> sa.Index:
    label = f"{name}_folded"
    return _postgres_only(
        f"ix_contacts_{name}_trgm",
        expression.label(label),
        postgresql_using="gin",
        postgresql_ops={label: "gin_trgm_ops"},
    )


_C = ContactRow.__table__.c  # type: ignore[attr-defined]
# ?q= is LIKE '%term%' over each of these (a trigram GIN index each); ?city= compares
# folded, with ``id`` for the keyset page (all from 0012).
_trigram("name", sa.func.lower(_C.name))
_trigram("city", sa.func.lower(_C.city))
_trigram("phone_digits", sa.func.replace(_C.phone, "+", ""))
_postgres_only("ix_contacts_company_id_city_folded", _C.company_id, sa.func.lower(_C.city), _C.id)
# ?tag= is element containment over fe_tags(tags), a text[] (0020).
_postgres_only("ix_contacts_tag_elements", sa.func.fe_tags(_C.tags), postgresql_using="gin")


class VisitRow(SQLModel, table=True):
    __tablename__ = "visits"
    __table_args__ = (
        ix("visits", "company_id", "id"),
        ix("visits", "company_id", "version"),  # sync pulls
        ix("visits", "company_id", "user_id", "id"),
        ix("visits", "company_id", "user_id", "checked_in_at", "id"),  # previous_for
        ix("visits", "company_id", "contact_id"),
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    contact_id: UUID = ref("contacts.id")
    user_id: UUID = ref("users.id")
    latitude: float
    longitude: float
    accuracy_m: float
    checked_in_at: datetime
    purpose: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=2000)
    distance_m: float | None = None
    verified: bool = False
    flags: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    checked_out_at: datetime | None = None
    outcome: str | None = Field(default=None, max_length=200)
    checkout_notes: str | None = Field(default=None, max_length=2000)
    version: int = 0
    field_versions: dict[str, int] = field_versions()
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


class VisitPhotoRow(SQLModel, table=True):
    __tablename__ = "visit_photos"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "key", name="uq_visit_photos_company_id_key"),
        ix("visit_photos", "company_id", "visit_id"),
        ix("visit_photos", "company_id", "version"),  # sync pulls
        ix("visit_photos", "company_id", "sha256"),
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    visit_id: UUID = ref("visits.id")
    key: str = Field(max_length=300)
    content_type: str = Field(max_length=32)
    size: int | None = None
    sha256: str | None = Field(default=None, max_length=64)
    status: PhotoStatus = Field(default=PhotoStatus.PENDING, sa_type=varchar_enum(PhotoStatus))
    captured_at: datetime | None = None
    version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime
    updated_at: datetime


class ProductRow(SQLModel, table=True):
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
        ix("products", "company_id", "id"),
        ix("products", "company_id", "version"),  # sync pulls
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    sku: str = Field(max_length=64)
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    unit_price: int = money(None)
    tax_rate_bp: int = 0
    active: bool = True
    version: int = 0
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


class OrderRow(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "number", name="uq_orders_company_id_number"),
        ix("orders", "company_id", "id"),
        ix("orders", "company_id", "version"),  # sync pulls
        ix("orders", "company_id", "user_id", "id"),
        ix("orders", "company_id", "contact_id"),
        ix("orders", "company_id", "status", "id"),  # the list by status, paged by id (0012)
        sa.Index(  # the outstanding-balance list: no column index compares two columns (0012)
            "ix_orders_owing",
            "company_id",
            "id",
            postgresql_where=sa.text("total > amount_paid AND deleted_at IS NULL"),
            sqlite_where=sa.text("total > amount_paid AND deleted_at IS NULL"),
        ),
        ix("orders", "company_id", "user_id", "created_at"),  # targets: a month's orders
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    # NULL only inside the transaction that writes the order, until its commit draws it.
    number: str | None = Field(default=None, max_length=32)
    contact_id: UUID = ref("contacts.id")
    user_id: UUID = ref("users.id")
    status: OrderStatus = Field(default=OrderStatus.PENDING, sa_type=varchar_enum(OrderStatus))
    items: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    currency: str = Field(max_length=3)
    subtotal: int = money()
    tax: int = money()
    total: int = money()
    amount_paid: int = money()
    notes: str | None = Field(default=None, max_length=2000)
    approved_by: UUID | None = ref("users.id", nullable=True)
    approved_at: datetime | None = None
    rejected_by: UUID | None = ref("users.id", nullable=True)
    rejected_at: datetime | None = None
    rejection_reason: str | None = Field(default=None, max_length=500)
    dispatched_at: datetime | None = None
    delivered_at: datetime | None = None
    cancelled_by: UUID | None = ref("users.id", nullable=True)
    cancelled_at: datetime | None = None
    cancel_reason: str | None = Field(default=None, max_length=500)
    version: int = 0
    field_versions: dict[str, int] = field_versions()
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


class PaymentRow(SQLModel, table=True):
    __tablename__ = "payments"
    __table_args__ = (
        ix("payments", "company_id", "id"),
        ix("payments", "company_id", "version"),  # sync pulls
        ix("payments", "company_id", "user_id", "id"),
        ix("payments", "company_id", "order_id"),
        ix("payments", "company_id", "user_id", "received_at"),  # targets: a month's takings
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    order_id: UUID = ref("orders.id")
    user_id: UUID = ref("users.id")
    amount: int = money(None)
    method: PaymentMethod = Field(sa_type=varchar_enum(PaymentMethod))
    reference: str | None = Field(default=None, max_length=100)
    received_at: datetime
    notes: str | None = Field(default=None, max_length=2000)
    version: int = 0
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


class AttendanceRow(SQLModel, table=True):
    __tablename__ = "attendance_days"
    __table_args__ = (
        # One day per rep per local date: two punch-ins racing for it, one wins.
        sa.UniqueConstraint(
            "company_id", "user_id", "day", name="uq_attendance_days_company_id_user_id_day"
        ),
        ix("attendance_days", "company_id", "id"),
        ix("attendance_days", "company_id", "version"),  # sync pulls
        ix("attendance_days", "company_id", "day"),  # a team's days, today's view
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    user_id: UUID = ref("users.id")
    day: date
    punched_in_at: datetime
    in_latitude: float
    in_longitude: float
    in_accuracy_m: float
    punched_out_at: datetime | None = None
    out_latitude: float | None = None
    out_longitude: float | None = None
    out_accuracy_m: float | None = None
    flags: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    worked_minutes: int | None = None
    visit_count: int | None = None
    distance_m: float | None = None
    last_latitude: float | None = None
    last_longitude: float | None = None
    selfie: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)  # migration 0011
    version: int = 0
    field_versions: dict[str, int] = field_versions()
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


# Registered wherever the field-force tables are (it builds on this module's helpers).
from fieldedge_adapters.sql import tables_expenses as _expenses  # noqa: E402, F401

# Registered on the same metadata wherever these tables are (contacts refer to it); last,
# as it builds on the helpers above.
from fieldedge_adapters.sql import tables_territories as _territories  # noqa: E402, F401


class TargetRow(SQLModel, table=True):
    __tablename__ = "targets"
    __table_args__ = (
        # One target per rep per month: two managers setting it at once, one wins.
        sa.UniqueConstraint(
            "company_id", "user_id", "month", name="uq_targets_company_id_user_id_month"
        ),
        ix("targets", "company_id", "id"),
        ix("targets", "company_id", "version"),  # sync pulls
        ix("targets", "company_id", "month"),  # a team's month
    )

    id: UUID = Field(primary_key=True)
    company_id: UUID = tenant(nullable=False)
    user_id: UUID = ref("users.id")
    month: str = Field(max_length=7)  # YYYY-MM, the company's local month
    order_value: int = money(None)
    collections: int = money(None)
    visits: int = Field(sa_type=sa.BigInteger)
    new_contacts: int = Field(sa_type=sa.BigInteger)
    set_by: UUID = ref("users.id")
    version: int = 0
    field_versions: dict[str, int] = field_versions()
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


# Registered with the field-force tables wherever they are collected (migrations, tests).
from fieldedge_adapters.sql import tables_beats as _beats  # noqa: E402, F401

# The bulk-import records (0018).
from fieldedge_adapters.sql import tables_imports as _imports  # noqa: E402, F401
from fieldedge_adapters.sql import tables_integrations as _integrations  # noqa: E402, F401

# The field-service tables (sites, equipment), registered with these (0013).
from fieldedge_adapters.sql import tables_service as _service  # noqa: E402, F401
