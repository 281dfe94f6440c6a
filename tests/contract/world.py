"""Rows for the contract suite, built from the domain's entities and stored through the
port only: a tenant (company, manager, rep, contact) and builders for everything else.

Ids are UUIDv7 (time-ordered, as the server makes them), times are aware.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from fieldedge.domain.attendance import AttendanceDay
from fieldedge.domain.audit import AuditEntry
from fieldedge.domain.base import Entity
from fieldedge.domain.company import Company
from fieldedge.domain.contacts import Contact
from fieldedge.domain.idempotency import IdempotencyRecord
from fieldedge.domain.identity import PasswordResetToken, RefreshToken, Role, User
from fieldedge.domain.orders import Order
from fieldedge.domain.outbox import OutboxEvent
from fieldedge.domain.payments import Payment, PaymentMethod
from fieldedge.domain.photos import VisitPhoto
from fieldedge.domain.products import Product
from fieldedge.domain.targets import Target
from fieldedge.domain.territories import Territory
from fieldedge.domain.visits import Visit
from fieldedge.ports.database import Database, Scope, UnitOfWork
from fieldedge_adapters.system import UuidV7Ids

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
_ids = UuidV7Ids()


def new_id() -> UUID:
    return _ids.new()


def _stamps(**fields: Any) -> dict[str, Any]:
    return {"id": new_id(), "created_at": NOW, "updated_at": NOW, **fields}


def company(**fields: Any) -> Company:
    return Company(**_stamps(**{"name": "Acme Pharma", **fields}))


def user(company_id: UUID | None, **fields: Any) -> User:
    uid = new_id()
    email = f"u{uid.hex[-12:]}@example.com"
    defaults = {"email": email, "name": "Asha Rao", "role": Role.SALES_REP}
    return User(**_stamps(id=uid, company_id=company_id, **{**defaults, **fields}))


def contact(company_id: UUID, **fields: Any) -> Contact:
    return Contact(**_stamps(company_id=company_id, **{"name": "Dr. Mehta", **fields}))


def visit(company_id: UUID, contact_id: UUID, user_id: UUID, **fields: Any) -> Visit:
    defaults = {"latitude": 18.52, "longitude": 73.85, "accuracy_m": 12.0, "checked_in_at": NOW}
    return Visit(
        **_stamps(
            company_id=company_id, contact_id=contact_id, user_id=user_id, **{**defaults, **fields}
        )
    )


def photo(company_id: UUID, visit_id: UUID, **fields: Any) -> VisitPhoto:
    pid = new_id()
    defaults = {"key": f"{company_id}/visits/{visit_id}/{pid}.jpg", "content_type": "image/jpeg"}
    owned = {"id": pid, "company_id": company_id, "visit_id": visit_id, "created_at": NOW,
             "updated_at": NOW}  # fmt: skip
    return VisitPhoto(**{**owned, **defaults, **fields})


def product(company_id: UUID, **fields: Any) -> Product:
    defaults = {"sku": f"SKU-{new_id().hex[-8:]}", "name": "Paracetamol 500", "unit_price": 1500}
    return Product(**_stamps(company_id=company_id, **{**defaults, **fields}))


def order(company_id: UUID, contact_id: UUID, user_id: UUID, **fields: Any) -> Order:
    defaults = {"currency": "INR", "subtotal": 1000, "tax": 180, "total": 1180}
    return Order(
        **_stamps(
            company_id=company_id, contact_id=contact_id, user_id=user_id, **{**defaults, **fields}
        )
    )


def payment(company_id: UUID, order_id: UUID, user_id: UUID, **fields: Any) -> Payment:
    defaults = {"amount": 100, "method": PaymentMethod.CASH, "received_at": NOW}
    return Payment(
        **_stamps(
            company_id=company_id, order_id=order_id, user_id=user_id, **{**defaults, **fields}
        )
    )


def attendance_day(company_id: UUID, user_id: UUID, **fields: Any) -> AttendanceDay:
    defaults = {
        "day": NOW.date(), "punched_in_at": NOW, "in_latitude": 18.52, "in_longitude": 73.85,
        "in_accuracy_m": 9.0,
    }  # fmt: skip
    return AttendanceDay(
        **_stamps(company_id=company_id, user_id=user_id, **{**defaults, **fields})
    )


def territory(company_id: UUID, **fields: Any) -> Territory:
    return Territory(**_stamps(company_id=company_id, **{"name": "West", **fields}))


def refresh_token(owner: User, **fields: Any) -> RefreshToken:
    defaults = {
        "family_id": new_id(),
        "token_hash": new_id().hex + new_id().hex,
        "issued_at": NOW,
        "expires_at": NOW + timedelta(days=30),
    }
    owned = {"id": new_id(), "company_id": owner.company_id, "user_id": owner.id}
    return RefreshToken(**{**owned, **defaults, **fields})


def reset_token(owner: User, **fields: Any) -> PasswordResetToken:
    defaults = {
        "token_hash": new_id().hex + new_id().hex,
        "created_at": NOW,
        "expires_at": NOW + timedelta(hours=1),
    }
    owned = {"id": new_id(), "company_id": owner.company_id, "user_id": owner.id}
    return PasswordResetToken(**{**owned, **defaults, **fields})


def audit_entry(company_id: UUID | None, **fields: Any) -> AuditEntry:
    defaults = {"at": NOW, "action": "order.approved", "detail": {"n": 1}}
    return AuditEntry(**{"id": new_id(), "company_id": company_id, **defaults, **fields})


def outbox_event(company_id: UUID | None, **fields: Any) -> OutboxEvent:
    defaults = {"kind": "email", "payload": {"template": "welcome"}, "next_attempt_at": NOW}
    owned = {"id": new_id(), "company_id": company_id, "created_at": NOW}
    return OutboxEvent(**{**owned, **defaults, **fields})


def idempotency_record(owner: User, key: str, **fields: Any) -> IdempotencyRecord:
    assert owner.company_id is not None
    defaults = {
        "fingerprint": "f" * 64,
        "response_status": 201,
        "response_headers": {"content-type": "application/json"},
        "response_body": b'{"ok":true}',
        "created_at": NOW,
        "expires_at": NOW + timedelta(hours=24),
    }
    owned = {"id": new_id(), "company_id": owner.company_id, "user_id": owner.id, "key": key}
    return IdempotencyRecord(**{**owned, **defaults, **fields})


_REPOSITORY = {
    Company: "companies",
    User: "users",
    RefreshToken: "refresh_tokens",
    PasswordResetToken: "reset_tokens",
    Contact: "contacts",
    Visit: "visits",
    VisitPhoto: "photos",
    Product: "products",
    Order: "orders",
    Payment: "payments",
    OutboxEvent: "outbox",
    AttendanceDay: "attendance",
    Territory: "territories",
    Target: "targets",
}


async def add(uow: UnitOfWork, *entities: Entity) -> None:
    """``add`` each entity through its repository (an audit entry is appended)."""
    for entity in entities:
        if isinstance(entity, AuditEntry):
            await uow.audit.append(entity)
        else:
            await getattr(uow, _REPOSITORY[type(entity)]).add(entity)


async def reload(uow: UnitOfWork, entity: Entity) -> Any:
    """``entity`` as its repository reads it now (None when it cannot see it)."""
    if isinstance(entity, VisitPhoto):
        return await uow.photos.get(entity.visit_id, entity.id)
    return await getattr(uow, _REPOSITORY[type(entity)]).get(entity.id)


async def store(database: Database, scope: Scope, *entities: Entity) -> None:
    """Add ``entities`` in one unit of work of ``scope`` and commit."""
    async with database.unit_of_work(scope) as uow:
        await add(uow, *entities)
        await uow.commit()


@dataclass
class Tenant:
    """A committed company with a manager, a rep who reports to them, and a contact."""

    company: Company
    manager: User
    rep: User
    contact: Contact

    @property
    def id(self) -> UUID:
        return self.company.id

    @property
    def scope(self) -> Scope:
        return Scope.tenant(self.company.id)

    def uow(self, database: Database) -> UnitOfWork:
        return database.unit_of_work(self.scope)

    def order(self, **fields: Any) -> Order:
        return order(self.id, **{"contact_id": self.contact.id, "user_id": self.rep.id, **fields})

    def visit(self, **fields: Any) -> Visit:
        return visit(self.id, **{"contact_id": self.contact.id, "user_id": self.rep.id, **fields})


async def tenant(database: Database, name: str = "Acme Pharma") -> Tenant:
    firm = company(name=name)
    manager = user(firm.id, role=Role.MANAGER, name="Meera Manager")
    rep = user(firm.id, manager_id=manager.id, name="Ravi Rep")
    phone = f"+91{new_id().int % 10**10:010d}"
    buyer = contact(firm.id, owner_id=rep.id, phone=phone, city="Pune")
    await store(database, Scope.tenant(firm.id), firm)
    await store(database, Scope.tenant(firm.id), manager, rep, buyer)
    return Tenant(firm, manager, rep, buyer)
