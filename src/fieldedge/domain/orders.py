"""Orders and their status machine, enforced here so no caller can skip a step.

PENDING → APPROVED | REJECTED | CANCELLED; APPROVED → DISPATCHED | CANCELLED;
DISPATCHED → DELIVERED. REJECTED, CANCELLED and DELIVERED are final. Who may make a
move (the rep's manager or an ADMIN) is the use case's question; whether the move
exists at all is the order's.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlmodel import Field, SQLModel

from fieldedge.domain.pricing import OrderLine, PricedOrder
from fieldedge.errors import InvalidStateTransition


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


class Order(SQLModel):
    id: UUID = Field(primary_key=True)
    company_id: UUID = Field(index=True)
    number: str = Field(max_length=32)  # unique per company, from order_number()
    contact_id: UUID = Field(index=True)
    user_id: UUID = Field(index=True)  # the rep who took it
    status: OrderStatus = OrderStatus.PENDING
    # OrderLine dicts (JSON-ready): a JSON column hands back dicts, so the entity holds
    # dicts too and ``lines`` parses them; there is no second shape to forget about.
    items: list[dict[str, Any]] = Field(default_factory=list)
    currency: str = Field(min_length=3, max_length=3)
    subtotal: int = 0
    tax: int = 0
    total: int = 0
    amount_paid: int = 0
    notes: str | None = Field(default=None, max_length=2000)
    approved_by: UUID | None = None
    approved_at: datetime | None = None
    rejected_by: UUID | None = None
    rejected_at: datetime | None = None
    rejection_reason: str | None = Field(default=None, max_length=500)
    dispatched_at: datetime | None = None
    delivered_at: datetime | None = None
    cancelled_by: UUID | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = Field(default=None, max_length=500)
    version: int = 0
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None

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
        self.items = [line.model_dump(mode="json") for line in priced.lines]
        self.subtotal, self.tax, self.total = priced.subtotal, priced.tax, priced.total

    def _move(self, target: OrderStatus) -> None:
        current = OrderStatus(self.status)
        if not can_transition(current, target):
            raise InvalidStateTransition(
                f"An order that is {current.value} cannot become {target.value}."
            )
        self.status = target

    def approve(self, by: UUID, at: datetime) -> None:
        self._move(OrderStatus.APPROVED)
        self.approved_by, self.approved_at = by, at

    def reject(self, by: UUID, at: datetime, reason: str | None = None) -> None:
        self._move(OrderStatus.REJECTED)
        self.rejected_by, self.rejected_at, self.rejection_reason = by, at, reason

    def dispatch(self, at: datetime) -> None:
        self._move(OrderStatus.DISPATCHED)
        self.dispatched_at = at

    def deliver(self, at: datetime) -> None:
        self._move(OrderStatus.DELIVERED)
        self.delivered_at = at

    def cancel(self, by: UUID, at: datetime, reason: str | None = None) -> None:
        self._move(OrderStatus.CANCELLED)
        self.cancelled_by, self.cancelled_at, self.cancel_reason = by, at, reason

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
            self._move(target)  # PENDING: never a target, so this raises
