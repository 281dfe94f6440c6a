"""Wire shapes of ``/api/v1/expenses``. Money is an integer of minor units; ``total`` is
the server's sum of the lines, never sent by a client."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from pydantic import ConfigDict, Field, StrictInt, StringConstraints, model_validator

from fieldedge.domain.expenses import (
    MAX_AMOUNT,
    MAX_LINES,
    ExpenseCategory,
    ExpenseStatus,
    LineFlag,
)
from fieldedge.http.fields import INTEGRAL
from fieldedge.http.lists import ListQuery
from fieldedge.http.routes.fieldforce_schemas import CLIENT_ID, PhotoRefOut
from fieldedge.http.schemas import PatchModel, RequestModel, ResponseModel

Amount = Annotated[StrictInt, Field(ge=0, le=MAX_AMOUNT), INTEGRAL]
Note = Annotated[str, StringConstraints(max_length=500)]
Title = Annotated[str, StringConstraints(max_length=200)]
ClaimNote = Annotated[str, StringConstraints(max_length=2000)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=500)]
_FROM_ATTENDANCE = (
    "TRAVEL only: the amount is that date's travelled distance (the rep's punched-out "
    "attendance day) at the company's travelRatePerKm, rounded half up; send no amount."
)


# A line states its amount, or is a TRAVEL line computed from attendance, never both.
_AMOUNT_OR_TRAVEL: dict[str, Any] = {
    "anyOf": [
        {"required": ["amount"], "properties": {"fromAttendance": {"const": False}}},
        {
            "required": ["category", "fromAttendance"],
            "properties": {
                "category": {"const": "TRAVEL"},
                "fromAttendance": {"const": True},
                "amount": {"type": "null"},
            },
        },
    ]
}


class LineBody(RequestModel):
    model_config = ConfigDict(json_schema_extra=_AMOUNT_OR_TRAVEL)

    id: UUID | None = Field(default=None, description=CLIENT_ID)
    category: ExpenseCategory
    date: dt.date
    amount: Amount | None = Field(
        default=None, description="Minor units; required unless fromAttendance."
    )
    note: Note | None = None
    from_attendance: bool = Field(default=False, description=_FROM_ATTENDANCE)


def _no_null(schema: dict[str, Any]) -> None:
    """The document's type without its null branch: null is refused (below), not sent is
    the only way to leave the field as it is."""
    schema.pop("default", None)  # null, which the type no longer admits
    branches = [b for b in schema.pop("anyOf", []) if b.get("type") != "null"]
    if len(branches) == 1:
        schema.update(branches[0])
    elif branches:
        schema["anyOf"] = branches


_NOT_NULL = Field(default=None, json_schema_extra=_no_null)


class LinePatchBody(PatchModel):
    category: ExpenseCategory | None = _NOT_NULL
    date: dt.date | None = _NOT_NULL
    amount: Amount | None = _NOT_NULL
    note: Note | None = None
    from_attendance: bool | None = Field(
        default=None, description=_FROM_ATTENDANCE, json_schema_extra=_no_null
    )

    @model_validator(mode="after")
    def _no_nulls(self) -> LinePatchBody:
        for name in ("category", "date", "amount", "from_attendance"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null.")
        return self


class CreateExpenseBody(RequestModel):
    id: UUID | None = Field(default=None, description=CLIENT_ID)
    title: Title | None = None
    note: ClaimNote | None = None
    lines: Annotated[list[LineBody], Field(max_length=MAX_LINES)] = []


class UpdateExpenseBody(PatchModel):
    title: Title | None = None
    note: ClaimNote | None = None
    lines: Annotated[list[LineBody], Field(max_length=MAX_LINES)] | None = Field(
        default=None,
        description="The whole new list; a line sent with an existing line's id keeps its receipt.",
    )


class EmptyBody(RequestModel):
    """An action that takes nothing but the claim in its path."""


class RejectBody(RequestModel):
    reason: Reason


class ReimburseBody(RequestModel):
    reference: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = Field(
        default=None, description="The payout's own reference (a bank transfer id)."
    )


class ExpenseQueryParams(ListQuery):
    status: ExpenseStatus | None = None
    user_id: UUID | None = None


class ExpenseLineOut(ResponseModel):
    id: UUID
    category: ExpenseCategory
    amount: int
    date: dt.date
    note: str | None
    distance_m: float | None = Field(description="Set on a line computed from attendance.")
    rate_per_km: int | None = Field(description="The rate a computed line used.")
    flags: list[LineFlag]
    receipt: PhotoRefOut | None


class ExpenseOut(ResponseModel):
    id: UUID
    user_id: UUID
    title: str | None
    note: str | None
    status: ExpenseStatus
    lines: list[ExpenseLineOut]
    currency: str
    total: int
    submitted_at: dt.datetime | None
    approved_by: UUID | None
    approved_at: dt.datetime | None
    rejected_by: UUID | None
    rejected_at: dt.datetime | None
    rejection_reason: str | None
    reimbursed_by: UUID | None
    reimbursed_at: dt.datetime | None
    reimbursement_reference: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
