"""Rows are rendered without building response models; the JSON must be the models' own.

``views.render`` maps an entity or a stored row to what ``Model.model_dump(mode="json",
by_alias=True)`` gives; these hold the two equal, so the fast path cannot drift from
the contract the OpenAPI document shows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from fieldedge import wire
from fieldedge.domain.company import Company
from fieldedge.domain.contacts import Contact, ContactType
from fieldedge.domain.identity import Role, User
from fieldedge.domain.orders import Order
from fieldedge.domain.payments import Payment, PaymentMethod
from fieldedge.domain.photos import PhotoStatus, VisitPhoto
from fieldedge.domain.pricing import ItemRequest, price_items
from fieldedge.domain.products import Product
from fieldedge.domain.visits import Visit, VisitFlag
from fieldedge.http.routes.fieldforce_schemas import (
    ContactOut,
    PhotoOut,
    ProductOut,
    VisitDetailOut,
    VisitOut,
)
from fieldedge.http.routes.identity_schemas import CompanyOut, MeOut, UserOut
from fieldedge.http.routes.order_schemas import OrderOut, PaymentOut
from fieldedge.http.schemas import ResponseModel
from fieldedge.http.views import render

NOW = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
COMPANY = uuid4()


def contact() -> Contact:
    return Contact(
        id=uuid4(), company_id=COMPANY, type=ContactType.DOCTOR, owner_id=uuid4(),
        name="Dr. Mehta", phone="+919876543210", city="Pune", latitude=18.52, longitude=73.85,
        tags=["cardio", "vip"], version=7, created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def product() -> Product:
    return Product(
        id=uuid4(), company_id=COMPANY, sku="PEN-1", name="Gel pen", unit_price=1250,
        tax_rate_bp=1800, version=3, created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def visit() -> Visit:
    return Visit(
        id=uuid4(), company_id=COMPANY, contact_id=uuid4(), user_id=uuid4(), latitude=18.5,
        longitude=73.8, accuracy_m=12.0, checked_in_at=NOW, distance_m=33.4, verified=False,
        flags=[VisitFlag.LOW_ACCURACY], version=9, created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def order() -> Order:
    pen = product()
    made = Order(
        id=uuid4(), company_id=COMPANY, number="ORD-000042", contact_id=uuid4(),
        user_id=uuid4(), currency="INR", version=4, created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    made.set_pricing(price_items([ItemRequest(pen.id, 3)], {pen.id: pen}))
    made.amount_paid = 1000
    return made


def photo() -> VisitPhoto:
    return VisitPhoto(
        id=uuid4(), company_id=COMPANY, visit_id=uuid4(), key="k.jpg", content_type="image/jpeg",
        size=123, sha256="a" * 64, status=PhotoStatus.READY, created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def user() -> User:
    return User(
        id=uuid4(), company_id=COMPANY, email="rep@example.com", name="Rep", role=Role.SALES_REP,
        manager_id=uuid4(), created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def company() -> Company:
    return Company(id=COMPANY, name="Acme", created_at=NOW, updated_at=NOW)


def payment() -> Payment:
    return Payment(
        id=uuid4(), company_id=COMPANY, order_id=uuid4(), user_id=uuid4(), amount=500,
        method=PaymentMethod.UPI, reference="UTR123", received_at=NOW, created_at=NOW,
        updated_at=NOW,
    )  # fmt: skip


def dumped(model: type[ResponseModel], item: Any) -> Any:
    return model.model_validate(item).model_dump(mode="json", by_alias=True)


def rendered(model: type[ResponseModel], item: Any) -> Any:
    return wire.loads(wire.dumps(render(model, item)))


CASES = [
    (ContactOut, contact),
    (ProductOut, product),
    (VisitOut, visit),
    (OrderOut, order),
    (PaymentOut, payment),
    (PhotoOut, photo),
    (UserOut, user),
    (CompanyOut, company),
]


@pytest.mark.parametrize(("model", "make"), CASES, ids=[m.__name__ for m, _ in CASES])
def test_an_entity_renders_as_its_model_dumps(model: type[ResponseModel], make: Any) -> None:
    item = make()
    assert rendered(model, item) == dumped(model, item)


@pytest.mark.parametrize(("model", "make"), CASES, ids=[m.__name__ for m, _ in CASES])
def test_a_stored_row_renders_as_its_entity(model: type[ResponseModel], make: Any) -> None:
    item = make()
    row = item.values()  # what a list reads: the columns, by field name
    assert rendered(model, row) == dumped(model, item)


def test_nested_models_render_as_their_models_dump() -> None:
    seen = visit()
    detail = {**seen.values(), "photos": [photo(), photo()]}
    assert rendered(VisitDetailOut, detail) == dumped(VisitDetailOut, detail)
    me = {"user": user(), "company": company()}
    assert rendered(MeOut, me) == dumped(MeOut, me)
    assert rendered(MeOut, {"user": user(), "company": None})["company"] is None
