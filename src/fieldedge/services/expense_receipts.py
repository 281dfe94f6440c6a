"""Receipt photos on expense lines, and the punch-in selfie on an attendance day: the
visit photos' rules (``owned_photos``) on a row that holds one photo.

Uploading to a line of one's own DRAFT claim (a locked claim takes none: 409) stores
the checked bytes, then names them on the line; the same bytes sent again are the same
receipt (answered as a replay), other bytes replace it. A selfie goes on one's own day,
once: the same bytes again are a replay, other bytes a 409 (a selfie is evidence of the
punch, not something to swap later).
"""

from __future__ import annotations

from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.attendance import AttendanceDay
from fieldedge.domain.expenses import ExpenseClaim
from fieldedge.domain.photos import PhotoRef
from fieldedge.errors import Conflict, Forbidden, NotFound
from fieldedge.ports.database import Scope
from fieldedge.services.attendance import visible_day
from fieldedge.services.common import audit
from fieldedge.services.deps import Deps
from fieldedge.services.expenses import own_draft, visible_claim
from fieldedge.services.owned_photos import (
    SignedRead,
    check_upload,
    discard,
    signed_read,
    store_photo,
)


async def add_receipt(
    principal: Principal, claim_id: UUID, line_id: UUID, data: bytes, deps: Deps
) -> tuple[ExpenseClaim, bool]:
    """The claim with the receipt on the line, and whether the receipt is new."""
    require(principal, Action.EXPENSE_WRITE)
    photo = check_upload(data)
    scope = Scope.tenant(principal.tenant)
    async with deps.db.unit_of_work(scope) as uow:
        claim = await own_draft(uow, principal, claim_id, line_id)  # refuse before storing
        line = claim.line(line_id)
        if line is not None and line.receipt is not None and line.receipt.sha256 == photo.sha256:
            return claim, False
    ref = await store_photo(deps, principal.tenant, "expenses", claim_id, photo)
    replaced: PhotoRef | None = None
    try:
        async with deps.db.unit_of_work(scope) as uow:
            claim = await own_draft(uow, principal, claim_id, line_id)
            items = claim.items
            replaced = next(item.receipt for item in items if item.id == line_id)
            claim.set_lines(
                [item.model_copy(update={"receipt": ref}) if item.id == line_id else item
                 for item in items]
            )  # fmt: skip
            claim.updated_at = deps.clock.now()
            await uow.expenses.save(claim)
            await audit(
                uow, deps, "expense.receipt_added", actor=principal, entity="expense",
                entity_id=claim.id,
                detail={"lineId": str(line_id), "photoId": str(ref.id), "sha256": ref.sha256},
            )  # fmt: skip
            await uow.commit()
    except BaseException:
        await discard(deps, ref.key)  # no row names it: nothing half-written
        raise
    if replaced is not None:
        await discard(deps, replaced.key)
    return claim, True


async def read_receipt(
    principal: Principal, claim_id: UUID, line_id: UUID, deps: Deps
) -> SignedRead:
    require(principal, Action.EXPENSE_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        claim = await visible_claim(uow, principal, claim_id)
    line = claim.line(line_id)
    if line is None or line.receipt is None:
        raise NotFound("No such receipt.")
    return await signed_read(deps, line.receipt.key, line.receipt.content_type)


async def add_selfie(
    principal: Principal, day_id: UUID, data: bytes, deps: Deps
) -> tuple[AttendanceDay, bool]:
    """The day with its selfie, and whether the selfie is new."""
    require(principal, Action.ATTENDANCE_WRITE)
    photo = check_upload(data)
    scope = Scope.tenant(principal.tenant)
    async with deps.db.unit_of_work(scope) as uow:
        day = _own_day(principal, await visible_day(uow, principal, day_id))
        if day.selfie is not None:
            if day.selfie["sha256"] != photo.sha256:
                raise Conflict("This day has its selfie already.")
            return day, False
    ref = await store_photo(deps, principal.tenant, "attendance", day_id, photo)
    try:
        async with deps.db.unit_of_work(scope) as uow:
            day = _own_day(principal, await visible_day(uow, principal, day_id, lock=True))
            if day.selfie is not None:
                raise Conflict("This day has its selfie already.")  # a racing upload won
            day.selfie = ref.model_dump(mode="json")
            day.updated_at = deps.clock.now()
            await uow.attendance.save(day)
            await audit(
                uow, deps, "attendance.selfie_added", actor=principal, entity="attendance",
                entity_id=day.id, detail={"photoId": str(ref.id), "sha256": ref.sha256},
            )  # fmt: skip
            await uow.commit()
    except BaseException:
        await discard(deps, ref.key)
        raise
    return day, True


def _own_day(principal: Principal, day: AttendanceDay) -> AttendanceDay:
    if day.user_id != principal.user_id:
        raise Forbidden("Only the rep who punched in may add the selfie.")
    return day


async def read_selfie(principal: Principal, day_id: UUID, deps: Deps) -> SignedRead:
    require(principal, Action.ATTENDANCE_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        day = await visible_day(uow, principal, day_id)
    if day.selfie is None:
        raise NotFound("No such selfie.")
    return await signed_read(deps, day.selfie["key"], day.selfie["content_type"])
