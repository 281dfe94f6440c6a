"""Expense claims: a rep's lines of spending, and the status machine they go through.

DRAFT → SUBMITTED → APPROVED | REJECTED; APPROVED → REIMBURSED. REJECTED and REIMBURSED
are final. Only a DRAFT takes edits (its lines, title, note, receipts); past it the
claim is locked, whoever asks. Who may make a move (the rep, their manager, an ADMIN)
is the use case's question; whether the move exists at all is the claim's.

A line is money in minor units, never negative, on a date. A travel line may be worked
out from that date's travelled distance (the rep's attendance day) at the company's
per-km rate: ``travel_amount``, rounded half up to a whole minor unit. A line dated on a
day the rep has no attendance is kept and flagged ``NO_ATTENDANCE``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from fieldedge.domain.base import field_details
from fieldedge.domain.moves import Moves
from fieldedge.domain.photos import PhotoRef
from fieldedge.errors import ValidationFailed

MAX_AMOUNT = 10**12  # minor units: ten billion rupees on one line is no expense
MAX_LINES = 100


class ExpenseCategory(StrEnum):
    TRAVEL = "TRAVEL"
    FOOD = "FOOD"
    LODGING = "LODGING"
    OTHER = "OTHER"


class ExpenseStatus(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    REIMBURSED = "REIMBURSED"


class LineFlag(StrEnum):
    NO_ATTENDANCE = "NO_ATTENDANCE"  # the rep has no attendance day on the line's date


S = ExpenseStatus
TRANSITIONS: dict[ExpenseStatus, frozenset[ExpenseStatus]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset({S.REIMBURSED}),
    S.REJECTED: frozenset(),
    S.REIMBURSED: frozenset(),
}

Amount = Annotated[int, Field(strict=True, ge=0, le=MAX_AMOUNT)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class ExpenseLine(BaseModel):
    """One line of a claim. Stored as a dict inside the claim (a JSON column hands back
    dicts); ``ExpenseClaim.items`` parses them."""

    model_config = ConfigDict(extra="forbid")

    id: UUID
    category: ExpenseCategory
    amount: Amount
    date: date
    note: Text | None = None
    distance_m: float | None = Field(default=None, ge=0)  # set when computed from attendance
    rate_per_km: int | None = Field(default=None, ge=0)  # the rate it was computed at
    flags: list[LineFlag] = Field(default_factory=list)
    receipt: PhotoRef | None = None  # a checked receipt photo

    @model_validator(mode="after")
    def _travel_only(self) -> ExpenseLine:
        if self.distance_m is not None and self.category is not ExpenseCategory.TRAVEL:
            raise ValueError("Only a TRAVEL line is computed from a distance.")
        return self


def travel_amount(distance_m: float, rate_per_km: int) -> int:
    """``distance_m`` metres at ``rate_per_km`` minor units a kilometre, half up: exact
    decimal arithmetic, so 12.5 km at 7 is 88 (87.5 rounded up), never 87."""
    exact = Decimal(str(distance_m)) * rate_per_km / 1000
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_line(values: dict[str, Any]) -> ExpenseLine:
    """A stored or sent line, checked; its errors are the core's 422."""
    try:
        return ExpenseLine.model_validate(values)
    except ValidationError as exc:
        raise ValidationFailed(details=field_details(exc)) from None


class ExpenseClaim(Moves):
    transitions, noun = TRANSITIONS, "A claim"

    id: UUID
    company_id: UUID
    user_id: UUID  # the rep who claims
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    status: ExpenseStatus = ExpenseStatus.DRAFT
    lines: list[dict[str, Any]] = Field(default_factory=list, max_length=MAX_LINES)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    total: int = Field(default=0, strict=True, ge=0)
    submitted_at: AwareDatetime | None = None
    approved_by: UUID | None = None
    approved_at: AwareDatetime | None = None
    rejected_by: UUID | None = None
    rejected_at: AwareDatetime | None = None
    rejection_reason: Text | None = None
    reimbursed_by: UUID | None = None
    reimbursed_at: AwareDatetime | None = None
    reimbursement_reference: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None
    ) = None
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _sums(self) -> ExpenseClaim:
        items = [parse_line(line) for line in self.lines]
        if len({item.id for item in items}) != len(items):
            raise ValidationFailed(details={"lines": ["Line ids must differ."]})
        if self.total != sum(item.amount for item in items):
            raise ValidationFailed(details={"total": ["Must be the sum of the lines."]})
        if self.status is ExpenseStatus.REJECTED and not self.rejection_reason:
            raise ValidationFailed(details={"reason": ["A rejection needs a reason."]})
        return self

    @property
    def items(self) -> list[ExpenseLine]:
        return [parse_line(line) for line in self.lines]

    @property
    def is_locked(self) -> bool:
        """Past DRAFT nothing of the claim changes but its status."""
        return self.status is not ExpenseStatus.DRAFT

    def line(self, line_id: UUID) -> ExpenseLine | None:
        return next((item for item in self.items if item.id == line_id), None)

    def set_lines(self, items: list[ExpenseLine]) -> None:
        """Replace the lines (and so the total), all checked together."""
        self.apply(
            {
                "lines": [item.model_dump(mode="json") for item in items],
                "total": sum(item.amount for item in items),
            }
        )

    def submit(self, at: datetime) -> None:
        self._check_move(ExpenseStatus.SUBMITTED)
        if not self.lines:
            raise ValidationFailed(details={"lines": ["A claim needs at least one line."]})
        self._move(ExpenseStatus.SUBMITTED, submitted_at=at)

    def approve(self, by: UUID, at: datetime) -> None:
        self._move(ExpenseStatus.APPROVED, approved_by=by, approved_at=at)

    def reject(self, by: UUID, at: datetime, reason: str | None) -> None:
        self._check_move(ExpenseStatus.REJECTED)
        if not (reason or "").strip():
            raise ValidationFailed(details={"reason": ["A rejection needs a reason."]})
        self._move(ExpenseStatus.REJECTED, rejected_by=by, rejected_at=at, rejection_reason=reason)

    def reimburse(self, by: UUID, at: datetime, reference: str | None = None) -> None:
        self._move(
            ExpenseStatus.REIMBURSED,
            reimbursed_by=by,
            reimbursed_at=at,
            reimbursement_reference=reference,
        )
