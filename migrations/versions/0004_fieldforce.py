"""field force: contacts, visits and photos, products, orders, payments; tenant RLS

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

Runs on SQLite (batch mode) and Postgres. Each table carries ``company_id`` and every
index leads with it (each query filters by tenant first). On Postgres each table gets the
same forced row-level security as the identity tables. ``companies.order_seq`` is the
last order number taken, advanced under the company row's lock.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("contacts", "visits", "visit_photos", "products", "orders", "payments")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=16)


def _synced() -> list[sa.Column[object]]:
    """``version``/``updated_at``/``deleted_at``: what every synced row has."""
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
    ]


def _head() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
    ]


def _keys(table: str) -> list[sa.SchemaItem]:
    return [
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        _fk(table, "company_id", "companies"),
    ]


def _index(table: str, *columns: str) -> None:
    op.create_index(f"ix_{table}_{'_'.join(columns)}", table, list(columns))


def upgrade() -> None:
    with op.batch_alter_table("companies") as batch:
        batch.add_column(
            sa.Column("order_seq", sa.BigInteger(), server_default="0", nullable=False)
        )
    _contacts()
    _visits()
    _photos()
    _products()
    _orders()
    _payments()
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            _enable_rls(table)


def _contacts() -> None:
    t = "contacts"
    op.create_table(
        t,
        *_head(),
        sa.Column(
            "type",
            _enum("contacttype", "DOCTOR", "RETAILER", "WHOLESALER", "OTHER"),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("phone", AutoString(length=16), nullable=True),
        sa.Column("email", AutoString(length=254), nullable=True),
        sa.Column("address", AutoString(length=500), nullable=True),
        sa.Column("city", AutoString(length=100), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("notes", AutoString(length=2000), nullable=True),
        *_synced(),
        *_keys(t),
        _fk(t, "owner_id", "users"),
    )
    for columns in (
        ("id",),
        ("owner_id", "id"),
        ("city",),
        ("latitude", "longitude"),
        ("phone",),
        ("email",),
    ):
        _index(t, "company_id", *columns)


def _visits() -> None:
    t = "visits"
    op.create_table(
        t,
        *_head(),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("accuracy_m", sa.Float(), nullable=False),
        sa.Column("checked_in_at", UTCDateTime(), nullable=False),
        sa.Column("purpose", AutoString(length=200), nullable=True),
        sa.Column("notes", AutoString(length=2000), nullable=True),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("checked_out_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", AutoString(length=200), nullable=True),
        sa.Column("checkout_notes", AutoString(length=2000), nullable=True),
        *_synced(),
        *_keys(t),
        _fk(t, "contact_id", "contacts"),
        _fk(t, "user_id", "users"),
    )
    for columns in (("id",), ("user_id", "id"), ("user_id", "checked_in_at"), ("contact_id",)):
        _index(t, "company_id", *columns)


def _photos() -> None:
    t = "visit_photos"
    op.create_table(
        t,
        *_head(),
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("key", AutoString(length=300), nullable=False),
        sa.Column("content_type", AutoString(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("sha256", AutoString(length=64), nullable=True),
        sa.Column("status", _enum("photostatus", "PENDING", "READY"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        *_keys(t),
        _fk(t, "visit_id", "visits"),
        sa.UniqueConstraint("company_id", "key", name="uq_visit_photos_company_id_key"),
    )
    _index(t, "company_id", "visit_id")
    _index(t, "company_id", "sha256")


def _products() -> None:
    t = "products"
    op.create_table(
        t,
        *_head(),
        sa.Column("sku", AutoString(length=64), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("description", AutoString(length=2000), nullable=True),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("tax_rate_bp", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_synced(),
        *_keys(t),
    )
    # Partial: a deleted product's SKU is free again (its tombstone stays for sync).
    live = sa.text("deleted_at IS NULL")
    op.create_index(
        "uq_products_company_id_sku",
        t,
        ["company_id", "sku"],
        unique=True,
        sqlite_where=live,
        postgresql_where=live,
    )
    _index(t, "company_id", "id")


_MONEY = ("subtotal", "tax", "total", "amount_paid")
_ORDER_STATUS = ("PENDING", "APPROVED", "REJECTED", "DISPATCHED", "DELIVERED", "CANCELLED")


def _orders() -> None:
    t = "orders"
    op.create_table(
        t,
        *_head(),
        sa.Column("number", AutoString(length=32), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("status", _enum("orderstatus", *_ORDER_STATUS), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("currency", AutoString(length=3), nullable=False),
        *(sa.Column(c, sa.BigInteger(), nullable=False) for c in _MONEY),
        sa.Column("notes", AutoString(length=2000), nullable=True),
        sa.Column("approved_by", sa.Uuid(), nullable=True),
        sa.Column("approved_at", UTCDateTime(), nullable=True),
        sa.Column("rejected_by", sa.Uuid(), nullable=True),
        sa.Column("rejected_at", UTCDateTime(), nullable=True),
        sa.Column("rejection_reason", AutoString(length=500), nullable=True),
        sa.Column("dispatched_at", UTCDateTime(), nullable=True),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("cancelled_by", sa.Uuid(), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("cancel_reason", AutoString(length=500), nullable=True),
        *_synced(),
        *_keys(t),
        _fk(t, "contact_id", "contacts"),
        _fk(t, "user_id", "users"),
        *(_fk(t, c, "users") for c in ("approved_by", "rejected_by", "cancelled_by")),
        sa.UniqueConstraint("company_id", "number", name="uq_orders_company_id_number"),
    )
    for columns in (("id",), ("user_id", "id"), ("contact_id",), ("status",)):
        _index(t, "company_id", *columns)


_METHODS = ("CASH", "UPI", "CHEQUE", "BANK_TRANSFER", "CARD")


def _payments() -> None:
    t = "payments"
    op.create_table(
        t,
        *_head(),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("method", _enum("paymentmethod", *_METHODS), nullable=False),
        sa.Column("reference", AutoString(length=100), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("notes", AutoString(length=2000), nullable=True),
        *_synced(),
        *_keys(t),
        _fk(t, "order_id", "orders"),
        _fk(t, "user_id", "users"),
    )
    for columns in (("id",), ("user_id", "id"), ("order_id",)):
        _index(t, "company_id", *columns)


def _enable_rls(table: str) -> None:
    # As in 0002: FORCE binds the owner too; the app never logs in as a superuser.
    check = (
        "company_id::text = current_setting('app.company_id', true) "
        "OR current_setting('app.system', true) = 'on'"
    )
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON {table} USING ({check}) WITH CHECK ({check})")


def downgrade() -> None:
    # Children first; dropping a table drops its indexes and its policy with it.
    for table in reversed(TABLES):
        op.drop_table(table)
    with op.batch_alter_table("companies") as batch:
        batch.drop_column("order_seq")
