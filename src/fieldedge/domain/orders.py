"""Orders and their status machine, enforced here so no caller can skip a step.

PENDING → APPROVED | REJECTED | CANCELLED; APPROVED → DISPATCHED | CANCELLED;
DISPATCHED → DELIVERED. REJECTED, CANCELLED and DELIVERED are final. Who may make a
move (the rep's manager or an ADMIN) is the use case's question; whether the move
exists at all is the order's.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from fieldedge.domain.moves import Moves
from fieldedge.domain.pricing import OrderLine, PricedOrder
from fieldedge.errors import ValidationFailed


class OrderStatus(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    DISPATCHED = "DISPATCHED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


S = OrderStatus
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.APPROVED: frozenset({S.DISPATCHED, S.CANCELLED}),
    S.DISPATCHED: frozenset({S.DELIVERED}),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
    S.DELIVERED: frozenset(),
}


def can_transition(current: OrderStatus, target: OrderStatus) -> bool:
    return target in TRANSITIONS[current]


def order_number(n: int) -> str:
    """``ORD-000001``: six digits at least, so numbers sort as text until a million."""
    if type(n) is not int or n < 1:
        raise ValueError("order numbers start at 1")
    return f"ORD-{n:06d}"


Money = Annotated[int, Field(strict=True, ge=0)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class Order(Moves):
    transitions, noun = TRANSITIONS, "An order"

    id: UUID
    company_id: UUID
    # ``ORD-000123``, unique per company: drawn when the order is stored (the unit of
    # work's commit), so None only on an order not yet stored.
    number: str | None = Field(default=None, max_length=32)
    contact_id: UUID
    user_id: UUID  # the rep who took it
    status: OrderStatus = OrderStatus.PENDING
    # OrderLine dicts (JSON-ready): a JSON column hands back dicts, so the entity holds
    # dicts too and ``lines`` parses them; there is no second shape to forget about.
    items: list[dict[str, Any]] = Field(default_factory=list)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    subtotal: Money = 0
    tax: Money = 0
    total: Money = 0
    amount_paid: Money = 0
    notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    approved_by: UUID | None = None
    approved_at: AwareDatetime | None = None
    rejected_by: UUID | None = None
    rejected_at: AwareDatetime | None = None
    rejection_reason: Reason | None = None
    dispatched_at: AwareDatetime | None = None
    delivered_at: AwareDatetime | None = None
    cancelled_by: UUID | None = None
    cancelled_at: AwareDatetime | None = None
    cancel_reason: Reason | None = None
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _sums(self) -> Order:
        if self.total != self.subtotal + self.tax:
            raise ValidationFailed(details={"total": ["Must be subtotal plus tax."]})
        if self.amount_paid > self.total:
            raise ValidationFailed(details={"amountPaid": ["Cannot exceed the total."]})
        return self

    @property
    def lines(self) -> list[OrderLine]:
        return [OrderLine.model_validate(item) for item in self.items]

    @property
    def balance_due(self) -> int:
        return self.total - self.amount_paid

    @property
    def is_locked(self) -> bool:
        """Once a manager has acted, the client may no longer edit the order (sync refuses)."""
        return self.status != OrderStatus.PENDING

    def set_pricing(self, priced: PricedOrder) -> None:
        self.apply(
            {
                "items": [line.model_dump(mode="json") for line in priced.lines],
                "subtotal": priced.subtotal,
                "tax": priced.tax,
                "total": priced.total,
            }
        )

    def approve(self, by: UUID, at: datetime) -> None:
        self._move(OrderStatus.APPROVED, approved_by=by, approved_at=at)

    def reject(self, by: UUID, at: datetime, reason: str | None = None) -> None:
        self._move(OrderStatus.REJECTED, rejected_by=by, rejected_at=at, rejection_reason=reason)

    def dispatch(self, at: datetime) -> None:
        self._move(OrderStatus.DISPATCHED, dispatched_at=at)

    def deliver(self, at: datetime) -> None:
        self._move(OrderStatus.DELIVERED, delivered_at=at)

    def cancel(self, by: UUID, at: datetime, reason: str | None = None) -> None:
        self._move(OrderStatus.CANCELLED, cancelled_by=by, cancelled_at=at, cancel_reason=reason)

    def move_to(
        self, target: OrderStatus, *, by: UUID, at: datetime, reason: str | None = None
    ) -> None:
        """One entry for ``PATCH {"status": …}``: the move's own method does the work."""
        target = OrderStatus(target)
        if target is OrderStatus.APPROVED:
            self.approve(by, at)
        elif target is OrderStatus.REJECTED:
            self.reject(by, at, reason)
        elif target is OrderStatus.DISPATCHED:
            self.dispatch(at)
        elif target is OrderStatus.DELIVERED:
            self.deliver(at)
        elif target is OrderStatus.CANCELLED:
            self.cancel(by, at, reason)
        else:
            self._check_move(target)  # PENDING: never a target, so this raises
