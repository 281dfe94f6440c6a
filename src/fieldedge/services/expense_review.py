"""Move an expense claim along its status machine: the rep submits their own DRAFT; the
rep's manager or an ADMIN approves or rejects it (with a reason); an ADMIN marks an
approved claim reimbursed. Nobody decides their own claim.

Role first (a role that may never make the move is ``Forbidden`` before any lookup),
then visibility (``NotFound``), then who this claim's reviewer is (``Forbidden``), then
the status machine (the entity's ``InvalidStateTransition``, 409). Approving or
rejecting queues an email to the rep in the same transaction; every move raises its
webhook event (``expense.submitted|approved|rejected|reimbursed``) there too.
"""

from __future__ import annotations

from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.expenses import ExpenseClaim, ExpenseStatus
from fieldedge.domain.identity import Role
from fieldedge.errors import Forbidden
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.services.common import audit, queue_email
from fieldedge.services.deps import Deps
from fieldedge.services.expenses import refresh_flags, visible_claim
from fieldedge.services.orders import format_money
from fieldedge.services.webhooks.emit import emit


async def submit_claim(principal: Principal, claim_id: UUID, deps: Deps) -> ExpenseClaim:
    require(principal, Action.EXPENSE_WRITE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        claim = await visible_claim(uow, principal, claim_id, lock=True)
        if claim.user_id != principal.user_id:
            raise Forbidden("Only the rep who made the claim may submit it.")
        if claim.status is ExpenseStatus.DRAFT:
            await refresh_flags(uow, claim)
        claim.submit(deps.clock.now())
        await _moved(uow, deps, principal, claim, ExpenseStatus.DRAFT)
        await uow.commit()
    return claim


async def _check_reviewer(uow: UnitOfWork, principal: Principal, claim: ExpenseClaim) -> None:
    if claim.user_id == principal.user_id:
        raise Forbidden("Nobody approves or rejects their own claim.")
    if principal.role is Role.MANAGER:
        rep = await uow.users.get(claim.user_id)
        if rep is None or rep.manager_id != principal.user_id:
            raise Forbidden("Only the rep's own manager or an ADMIN may decide this claim.")


async def decide_claim(
    principal: Principal, claim_id: UUID, approve: bool, reason: str | None, deps: Deps
) -> ExpenseClaim:
    """Approve (``approve``) or reject (with ``reason``) a SUBMITTED claim."""
    require(principal, Action.EXPENSE_APPROVE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        claim = await visible_claim(uow, principal, claim_id, lock=True)
        await _check_reviewer(uow, principal, claim)
        before, now = ExpenseStatus(claim.status), deps.clock.now()
        if approve:
            claim.approve(principal.user_id, now)
        else:
            claim.reject(principal.user_id, now, reason)
        await _moved(uow, deps, principal, claim, before)
        await _queue_decision_email(uow, deps, claim)
        await uow.commit()
    return claim


async def reimburse_claim(
    principal: Principal, claim_id: UUID, reference: str | None, deps: Deps
) -> ExpenseClaim:
    require(principal, Action.EXPENSE_REIMBURSE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        claim = await visible_claim(uow, principal, claim_id, lock=True)
        if claim.user_id == principal.user_id:
            raise Forbidden("Nobody reimburses their own claim.")
        claim.reimburse(principal.user_id, deps.clock.now(), reference)
        await _moved(uow, deps, principal, claim, ExpenseStatus.APPROVED)
        await uow.commit()
    return claim


async def _moved(
    uow: UnitOfWork, deps: Deps, principal: Principal, claim: ExpenseClaim, before: ExpenseStatus
) -> None:
    claim.updated_at = deps.clock.now()
    await uow.expenses.save(claim)
    after = ExpenseStatus(claim.status)
    await audit(
        uow, deps, f"expense.{after.value.lower()}", actor=principal, entity="expense",
        entity_id=claim.id,
        detail={"from": before.value, "to": after.value, "total": claim.total},
    )  # fmt: skip
    await emit(uow, deps, f"expense.{after.value.lower()}", claim)


def expense_link(deps: Deps, claim: ExpenseClaim) -> str:
    return f"{deps.settings.app_base_url.rstrip('/')}/expenses/{claim.id}"


async def _queue_decision_email(uow: UnitOfWork, deps: Deps, claim: ExpenseClaim) -> None:
    """``expense_approved`` or ``expense_rejected`` (with the reason) to the rep."""
    rep = await uow.users.get(claim.user_id)
    if rep is None:
        return
    approved = claim.status is ExpenseStatus.APPROVED
    context = {
        "name": rep.name,
        "title": claim.title or "Expense claim",
        "total": format_money(claim.total, claim.currency),
        "totalMinor": claim.total,
        "currency": claim.currency,
        "link": expense_link(deps, claim),
    }
    if not approved:
        context["reason"] = claim.rejection_reason or ""
    await queue_email(
        uow,
        deps,
        company_id=claim.company_id,
        template="expense_approved" if approved else "expense_rejected",
        to=[rep.email],
        context=context,
    )
