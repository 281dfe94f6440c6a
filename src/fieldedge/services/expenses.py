"""Make, read and edit expense claims: a rep's own, while they are DRAFT.

Visibility first, then ownership, then the lock: a claim outside the caller's scope is
``NotFound`` (the scope of visits and orders: own, the team's, the company's), a claim
the caller sees but does not own is ``Forbidden`` to edit, and a claim past DRAFT is
locked (``Conflict``) whoever asks. The status moves are ``expense_review``'s.

Each line is checked against the rep's attendance on its date: none that day and it is
kept with flag ``NO_ATTENDANCE``. A TRAVEL line sent with ``from_attendance`` takes its
amount from that day's travelled distance at the company's ``travel_rate_per_km``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.company import Company
from fieldedge.domain.expenses import (
    ExpenseCategory,
    ExpenseClaim,
    ExpenseLine,
    ExpenseStatus,
    LineFlag,
    parse_line,
    travel_amount,
)
from fieldedge.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.expenses import ExpenseQuery
from fieldedge.ports.records import Record
from fieldedge.services.common import audit, commit_new, found, id_taken, new_id
from fieldedge.services.deps import Deps
from fieldedge.services.owned_photos import discard
from fieldedge.services.pagination import Page, after_id, page_by_id
from fieldedge.services.visibility import narrowed, work_owners

UNSET: Any = object()


@dataclass(frozen=True, slots=True)
class LineInput:
    category: ExpenseCategory
    date: date
    amount: int | None = None  # required unless from_attendance
    note: str | None = None
    from_attendance: bool = False  # TRAVEL only: the day's distance at the company's rate
    id: UUID | None = None  # a client-made id


@dataclass(frozen=True, slots=True)
class CreateClaim:
    title: str | None = None
    note: str | None = None
    lines: Sequence[LineInput] = ()
    id: UUID | None = None  # a client-made id (offline creates)


@dataclass(frozen=True, slots=True)
class ClaimFilter:
    status: ExpenseStatus | None = None
    user_id: UUID | None = None


async def visible_claim(
    uow: UnitOfWork, principal: Principal, claim_id: UUID, *, lock: bool = False
) -> ExpenseClaim:
    claim = await uow.expenses.get(claim_id, lock=lock)
    if claim is None or claim.user_id == principal.user_id:
        return found(claim, "expense claim")
    owners = await work_owners(uow, principal)
    return found(claim, "expense claim", visible=owners is None or claim.user_id in owners)


def check_owner(principal: Principal, claim: ExpenseClaim) -> None:
    if claim.user_id != principal.user_id:
        raise Forbidden("Only the rep who made the claim may change it.")


def check_editable(principal: Principal, claim: ExpenseClaim) -> None:
    """Only the claim's own rep edits it, and only while it is DRAFT."""
    check_owner(principal, claim)
    if claim.is_locked:
        raise Conflict(f"A {claim.status.value} claim is locked; it cannot change.")


async def own_draft(
    uow: UnitOfWork, principal: Principal, claim_id: UUID, line_id: UUID | None = None
) -> ExpenseClaim:
    """The caller's own DRAFT claim, read with its lock (and holding ``line_id``)."""
    require(principal, Action.EXPENSE_WRITE)
    claim = await visible_claim(uow, principal, claim_id, lock=True)
    check_owner(principal, claim)  # before the line: another's lines are not theirs to probe
    if line_id is not None and claim.line(line_id) is None:
        raise NotFound("No such line.")
    check_editable(principal, claim)
    return claim


async def get_claim(principal: Principal, claim_id: UUID, deps: Deps) -> ExpenseClaim:
    require(principal, Action.EXPENSE_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        return await visible_claim(uow, principal, claim_id)


async def list_claims(
    principal: Principal, filters: ClaimFilter, cursor: str | None, limit: int, deps: Deps
) -> Page[Record]:
    require(principal, Action.EXPENSE_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        owners = narrowed(await work_owners(uow, principal), filters.user_id)
        if owners is not None and not owners:
            return page_by_id([], limit)  # a userId outside the caller's scope
        rows = await uow.expenses.list(
            ExpenseQuery(
                after=after_id(cursor), limit=limit + 1, user_ids=owners, status=filters.status
            )
        )
    return page_by_id(rows, limit)


async def _company(uow: UnitOfWork, principal: Principal) -> Company:
    return found(await uow.companies.get(principal.tenant), "company")


async def build_line(
    uow: UnitOfWork,
    company: Company,
    rep_id: UUID,
    given: LineInput,
    line_id: UUID,
    *,
    keep: ExpenseLine | None = None,
    field: str = "",
) -> ExpenseLine:
    """The line ``given`` describes for ``rep_id`` (its amount computed when asked), with
    its flags; ``keep`` is the line it replaces (its receipt stays); ``field`` prefixes
    the names of a 422 (``lines.0.``)."""
    day = await uow.attendance.on_day(rep_id, given.date)
    amount, rate = given.amount, None
    distance = day.distance_m if day is not None and given.from_attendance else None
    if given.from_attendance:
        details: dict[str, list[str]] = {}
        if given.category is not ExpenseCategory.TRAVEL:
            details[f"{field}fromAttendance"] = ["Only a TRAVEL line is computed."]
        elif given.amount is not None:
            details[f"{field}amount"] = ["Computed from attendance: send no amount."]
        elif distance is None:
            details[f"{field}fromAttendance"] = [
                "No punched-out attendance day on this date to measure."
            ]
        elif company.travel_rate_per_km <= 0:
            details[f"{field}fromAttendance"] = [
                "The company has no travel rate (PATCH /company travelRatePerKm)."
            ]
        if details or distance is None:  # distance None always has its detail above
            raise ValidationFailed(details=details)
        rate = company.travel_rate_per_km
        amount = travel_amount(distance, rate)
    elif amount is None:
        raise ValidationFailed(details={f"{field}amount": ["This field is required."]})
    try:
        return parse_line(
            {
                "id": line_id,
                "category": given.category,
                "amount": amount,
                "date": given.date,
                "note": given.note,
                "distance_m": distance,
                "rate_per_km": rate,
                "flags": [] if day is not None else [LineFlag.NO_ATTENDANCE],
                "receipt": keep.receipt if keep is not None else None,
            }
        )
    except ValidationFailed as exc:
        named = {f"{field}{name}": why for name, why in (exc.details or {}).items()}
        raise ValidationFailed(details=named) from None


async def refresh_flags(uow: UnitOfWork, claim: ExpenseClaim) -> None:
    """Flag again each line whose date has (no) attendance: a day punched in offline may
    have arrived since the line was written."""
    items = claim.items
    days = {item.date for item in items}
    present = {d for d in days if await uow.attendance.on_day(claim.user_id, d) is not None}
    fresh = [
        item.model_copy(update={"flags": [] if item.date in present else [LineFlag.NO_ATTENDANCE]})
        for item in items
    ]
    if fresh != items:
        claim.set_lines(fresh)


async def create_claim(principal: Principal, cmd: CreateClaim, deps: Deps) -> ExpenseClaim:
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        claim = await new_claim(uow, principal, cmd, deps)
        await commit_new(uow, cmd.id)
    return claim


async def new_claim(
    uow: UnitOfWork, principal: Principal, cmd: CreateClaim, deps: Deps
) -> ExpenseClaim:
    """The DRAFT claim ``cmd`` describes, for the caller, added to ``uow`` (REST and sync)."""
    require(principal, Action.EXPENSE_WRITE)
    now = deps.clock.now()
    claim_id = new_id(deps, cmd.id)
    if cmd.id is not None and await uow.expenses.get(cmd.id, include_deleted=True):
        raise id_taken()
    company = await _company(uow, principal)
    items = await _lines(uow, deps, company, principal.user_id, cmd.lines, {})
    claim = ExpenseClaim(
        id=claim_id,
        company_id=company.id,
        user_id=principal.user_id,
        title=cmd.title,
        note=cmd.note,
        currency=company.currency,
        created_at=now,
        updated_at=now,
    )
    claim.set_lines(items)
    await uow.expenses.add(claim)
    await audit(
        uow, deps, "expense.created", actor=principal, entity="expense", entity_id=claim.id,
        detail={"lines": len(items), "total": claim.total},
    )  # fmt: skip
    return claim


async def _lines(
    uow: UnitOfWork,
    deps: Deps,
    company: Company,
    rep_id: UUID,
    given: Sequence[LineInput],
    kept: dict[UUID, ExpenseLine],
) -> list[ExpenseLine]:
    """Every line of a whole list, a line sent with a kept line's id replacing it."""
    items = []
    for index, line in enumerate(given):
        line_id = new_id(deps, line.id)
        keep = kept.get(line_id)
        built = await build_line(uow, company, rep_id, line, line_id, keep=keep,
                                 field=f"lines.{index}.")  # fmt: skip
        items.append(built)
    return items


async def update_claim(
    principal: Principal, claim_id: UUID, changes: dict[str, Any], deps: Deps
) -> ExpenseClaim:
    """``changes``: any of ``title``, ``note``, ``lines`` (a list of ``LineInput``, the
    whole new list)."""
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        claim = await own_draft(uow, principal, claim_id)
        dropped = await change_claim(uow, principal, claim, changes, deps)
        await uow.commit()
    for key in dropped:  # committed: no row names them any more
        await discard(deps, key)
    return claim


async def change_claim(
    uow: UnitOfWork, principal: Principal, claim: ExpenseClaim, changes: dict[str, Any],
    deps: Deps,
) -> list[str]:  # fmt: skip
    """Edit ``claim`` (read with its lock) under the rules of an edit (REST and sync).
    Returns the storage keys of receipts on lines the edit dropped: the caller discards
    them once the edit is committed."""
    require(principal, Action.EXPENSE_WRITE)
    check_editable(principal, claim)
    plain = {k: v for k, v in changes.items() if k in ("title", "note")}
    if plain:
        claim.apply(plain)
    dropped: list[str] = []
    if "lines" in changes:
        company = await _company(uow, principal)
        kept = {item.id: item for item in claim.items}
        items = await _lines(uow, deps, company, claim.user_id, changes["lines"], kept)
        claim.set_lines(items)
        dropped = [item.receipt.key for item in kept.values()
                   if item.receipt is not None and claim.line(item.id) is None]  # fmt: skip
    await _save(uow, deps, principal, claim, "expense.updated", {"fields": sorted(changes)})
    return dropped


async def _save(
    uow: UnitOfWork, deps: Deps, principal: Principal, claim: ExpenseClaim, action: str,
    detail: dict[str, Any],
) -> None:  # fmt: skip
    if not claim.changes():
        return  # nothing changed: nothing to write, nothing to audit
    claim.updated_at = deps.clock.now()
    await uow.expenses.save(claim)
    await audit(
        uow, deps, action, actor=principal, entity="expense", entity_id=claim.id,
        detail={**detail, "total": claim.total},
    )  # fmt: skip


async def add_line(
    principal: Principal, claim_id: UUID, given: LineInput, deps: Deps
) -> tuple[ExpenseClaim, ExpenseLine]:
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        claim = await own_draft(uow, principal, claim_id)
        line_id = new_id(deps, given.id)
        if claim.line(line_id) is not None:
            raise Conflict("The claim has a line with this id.", details={"id": ["Taken."]})
        company = await _company(uow, principal)
        line = await build_line(uow, company, claim.user_id, given, line_id)
        claim.set_lines([*claim.items, line])
        await _save(uow, deps, principal, claim, "expense.line_added", {"lineId": str(line.id)})
        await uow.commit()
    return claim, line


async def edit_line(
    principal: Principal, claim_id: UUID, line_id: UUID, changes: dict[str, Any], deps: Deps
) -> ExpenseClaim:
    """``changes``: any of ``category``, ``date``, ``amount``, ``note``,
    ``from_attendance``. A line computed from attendance stays computed (for a new date
    too) until it is sent an ``amount``."""
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        claim = await own_draft(uow, principal, claim_id, line_id)
        old = claim.line(line_id)
        assert old is not None  # own_draft checked
        computed = bool(
            changes.get("from_attendance", old.distance_m is not None and "amount" not in changes)
        )
        given = LineInput(
            category=changes.get("category", old.category),
            date=changes.get("date", old.date),
            # Computed and an amount sent too: build_line's refusal, as for a new line.
            amount=changes.get("amount") if computed else changes.get("amount", old.amount),
            note=changes.get("note", old.note),
            from_attendance=computed,
        )
        company = await _company(uow, principal)
        line = await build_line(uow, company, claim.user_id, given, line_id, keep=old)
        claim.set_lines([line if item.id == line_id else item for item in claim.items])
        await _save(uow, deps, principal, claim, "expense.line_updated", {"lineId": str(line_id)})
        await uow.commit()
    return claim


async def remove_line(
    principal: Principal, claim_id: UUID, line_id: UUID, deps: Deps
) -> ExpenseClaim:
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        claim = await own_draft(uow, principal, claim_id, line_id)
        removed = claim.line(line_id)
        claim.set_lines([item for item in claim.items if item.id != line_id])
        await _save(uow, deps, principal, claim, "expense.line_removed", {"lineId": str(line_id)})
        await uow.commit()
    if removed is not None and removed.receipt is not None:  # no row names it any more
        await discard(deps, removed.receipt.key)
    return claim
