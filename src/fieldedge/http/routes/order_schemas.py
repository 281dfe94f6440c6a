"""Bodies of the order and payment routes. Money is an integer of minor units on the
wire as everywhere; ``balanceDue`` is computed, never stored or sent by a client."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

from pydantic import ConfigDict, Field, StrictInt, StringConstraints, model_validator

from fieldedge.domain.orders import OrderStatus
from fieldedge.domain.payments import PaymentMethod
from fieldedge.domain.pricing import MAX_QUANTITY, MIN_QUANTITY
from fieldedge.http.fields import INTEGRAL, Time
from fieldedge.http.lists import ListQuery
from fieldedge.http.routes.fieldforce_schemas import CLIENT_ID
from fieldedge.http.schemas import RequestModel, ResponseModel

Notes = Annotated[str, StringConstraints(max_length=2000)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Quantity = Annotated[StrictInt, Field(ge=MIN_QUANTITY, le=MAX_QUANTITY), INTEGRAL]
Minor = Annotated[StrictInt, Field(ge=0, le=10**15), INTEGRAL]
MAX_LINES = 200


class OrderItemBody(RequestModel):
    product_id: UUID
    quantity: Quantity


class CreateOrderBody(RequestModel):
    id: UUID | None = Field(default=None, description=CLIENT_ID)
    contact_id: UUID
    items: Annotated[list[OrderItemBody], Field(min_length=1, max_length=MAX_LINES)]
    notes: Notes | None = None
    total: Minor | None = Field(
        default=None, description="Optional: checked against the server's total, never used."
    )


class UpdateOrderBody(RequestModel):
    # What _not_empty refuses, in the document: a status or notes (a reason alone is not a change).
    model_config = ConfigDict(
        json_schema_extra={"anyOf": [{"required": ["status"]}, {"required": ["notes"]}]}
    )

    status: OrderStatus | None = None
    reason: Reason | None = None
    notes: Notes | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> UpdateOrderBody:
        if not self.model_fields_set & {"status", "notes"}:
            raise ValueError("Send a status to move to, or notes to change.")
        return self


class OrderQueryParams(ListQuery):
    status: OrderStatus | None = None
    contact_id: UUID | None = None
    user_id: UUID | None = None
    with_balance: bool | None = None


class OrderLineOut(ResponseModel):
    product_id: UUID
    sku: str
    name: str
    quantity: int
    unit_price: int
    tax_rate_bp: int
    line_subtotal: int
    line_tax: int
    line_total: int


class OrderOut(ResponseModel):
    view_computed: ClassVar[dict[str, Callable[[Any], Any]]] = {
        "balance_due": lambda get: get("total") - get("amount_paid")
    }

    id: UUID
    number: str
    contact_id: UUID
    user_id: UUID
    status: OrderStatus
    items: list[OrderLineOut]
    currency: str
    subtotal: int
    tax: int
    total: int
    amount_paid: int
    balance_due: int
    notes: str | None
    approved_by: UUID | None
    approved_at: datetime | None
    rejected_by: UUID | None
    rejected_at: datetime | None
    rejection_reason: str | None
    dispatched_at: datetime | None
    delivered_at: datetime | None
    cancelled_by: UUID | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class CreatePaymentBody(RequestModel):
    id: UUID | None = Field(default=None, description=CLIENT_ID)
    order_id: UUID
    amount: Annotated[StrictInt, Field(gt=0, le=10**15), INTEGRAL]
    method: PaymentMethod
    reference: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    received_at: Time | None = Field(default=None, description="Defaults to now.")
    notes: Notes | None = None


class PaymentQueryParams(ListQuery):
    order_id: UUID | None = None
    method: PaymentMethod | None = None
    user_id: UUID | None = None


class PaymentOut(ResponseModel):
    id: UUID
    order_id: UUID
    user_id: UUID
    amount: int
    method: PaymentMethod
    reference: str | None
    received_at: datetime
    notes: str | None
    version: int
    created_at: datetime
    updated_at: datetime
