"""Attachments on a work order: photos (the visit photos' rules) and PDFs.

An upload is taken only from its bytes (``photo_check.inspect_photo`` for a JPEG, PNG or
WebP; ``domain.attachments.check_pdf`` for a PDF; 10 MiB at most), hashed (SHA-256),
stored private under ``{company}/work_orders/{work order}/{attachment}.{ext}``, then named
in the work order's ``attachments`` (at most 50). The same bytes sent again are the same
attachment (answered as a replay). Reads go through the work order's own access check
(every role reads every work order) as a short-lived signed URL or the bytes.

Who uploads and deletes: whoever may work the work order (``may_work``: a SALES_REP
their own, a MANAGER their team's or an unassigned one, an ADMIN any). A COMPLETED or
CANCELLED work order keeps its attachments: uploads and deletes are 409. The object is
written before the row; a failed row write removes it again, and a deleted
attachment's object is removed after the commit.
"""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.attachments import MAX_ATTACHMENTS, Attachment, check_pdf, is_pdf
from fieldedge.domain.photos import owned_photo_key
from fieldedge.domain.work_orders import WorkOrder
from fieldedge.errors import Conflict, NotFound
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.services.common import audit
from fieldedge.services.deps import Deps
from fieldedge.services.owned_photos import Checked, SignedRead, check_upload, discard, signed_read
from fieldedge.services.pagination import Page, after_id, page_by_id
from fieldedge.services.work_orders import may_work, visible_work_order

KIND = "work_orders"


def check_attachment(data: bytes) -> Checked:
    """413 over the cap, 415 when it is neither a whole image we take nor a whole PDF."""
    if is_pdf(data[:8]):
        pdf = check_pdf(data)
        return Checked(data, pdf.content_type, pdf.extension, hashlib.sha256(data).hexdigest())
    return check_upload(data)


async def _workable(
    uow: UnitOfWork,
    principal: Principal,
    work_order_id: UUID,
    *,
    lock: bool = False,
    attachment_id: UUID | None = None,
) -> WorkOrder:
    """The work order if the caller may change its attachments (404 for a missing
    ``attachment_id`` before 403: it is not there to refuse)."""
    work_order = await visible_work_order(uow, work_order_id, lock=lock)
    if attachment_id is not None:
        _one(work_order, attachment_id)
    await may_work(uow, principal, work_order)
    if work_order.final:
        raise Conflict(f"A {work_order.status.value} work order keeps its attachments as they are.")
    return work_order


def _same(work_order: WorkOrder, sha256: str) -> dict[str, Any] | None:
    return next((a for a in work_order.attachments if a["sha256"] == sha256), None)


async def add_attachment(
    principal: Principal, work_order_id: UUID, data: bytes, deps: Deps
) -> tuple[dict[str, Any], bool]:
    """The attachment, and whether it is new (the same bytes again: the first one)."""
    require(principal, Action.WORK_ORDER_WORK)
    checked = check_attachment(data)
    scope = Scope.tenant(principal.tenant)
    async with deps.db.unit_of_work(scope) as uow:  # refuse before storing anything
        work_order = await _workable(uow, principal, work_order_id)
        if (known := _same(work_order, checked.sha256)) is not None:
            return known, False
        if len(work_order.attachments) >= MAX_ATTACHMENTS:
            raise Conflict(f"A work order holds at most {MAX_ATTACHMENTS} attachments.")
    attachment_id = deps.ids.new()
    key = owned_photo_key(principal.tenant, KIND, work_order_id, attachment_id, checked.extension)
    await deps.storage.put(key, checked.data, content_type=checked.content_type)
    try:
        async with deps.db.unit_of_work(scope) as uow:
            work_order = await _workable(uow, principal, work_order_id, lock=True)
            if (known := _same(work_order, checked.sha256)) is not None:
                await discard(deps, key)  # a racing upload of the same bytes won
                return known, False
            if len(work_order.attachments) >= MAX_ATTACHMENTS:
                raise Conflict(f"A work order holds at most {MAX_ATTACHMENTS} attachments.")
            now = deps.clock.now()
            entry = Attachment(
                id=attachment_id, key=key, content_type=checked.content_type,
                size=len(checked.data), sha256=checked.sha256, uploaded_by=principal.user_id,
                at=now,
            ).model_dump(mode="json")  # fmt: skip
            work_order.attachments = [*work_order.attachments, entry]
            work_order.updated_at = now
            await uow.work_orders.save(work_order)
            await audit(
                uow, deps, "work_order.attachment_added", actor=principal, entity="work_order",
                entity_id=work_order.id,
                detail={"attachmentId": str(attachment_id), "contentType": checked.content_type,
                        "size": len(checked.data), "sha256": checked.sha256},
            )  # fmt: skip
            await uow.commit()
    except BaseException:
        await discard(deps, key)  # no row names it: nothing half-written
        raise
    return entry, True


async def list_attachments(
    principal: Principal, work_order_id: UUID, cursor: str | None, limit: int, deps: Deps
) -> Page[dict[str, Any]]:
    """A work order's attachments by id (upload order: ids are time-ordered), paged."""
    require(principal, Action.WORK_ORDER_READ)
    after = after_id(cursor)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        entries = (await visible_work_order(uow, work_order_id)).attachments
    ordered = sorted(entries, key=lambda a: UUID(a["id"]))
    rest = [a for a in ordered if after is None or UUID(a["id"]) > after]
    return page_by_id(rest[: limit + 1], limit)


def _one(work_order: WorkOrder, attachment_id: UUID) -> dict[str, Any]:
    found = next((a for a in work_order.attachments if a["id"] == str(attachment_id)), None)
    if found is None:
        raise NotFound("No such attachment.")
    return found


async def read_attachment(
    principal: Principal, work_order_id: UUID, attachment_id: UUID, deps: Deps
) -> SignedRead:
    require(principal, Action.WORK_ORDER_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        work_order = await visible_work_order(uow, work_order_id)
    entry = _one(work_order, attachment_id)
    return await signed_read(deps, entry["key"], entry["content_type"])


async def delete_attachment(
    principal: Principal, work_order_id: UUID, attachment_id: UUID, deps: Deps
) -> dict[str, Any]:
    """Remove it from the work order (audited), then its stored object."""
    require(principal, Action.WORK_ORDER_WORK)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        work_order = await _workable(
            uow, principal, work_order_id, lock=True, attachment_id=attachment_id
        )
        entry = _one(work_order, attachment_id)
        work_order.attachments = [a for a in work_order.attachments if a["id"] != entry["id"]]
        work_order.updated_at = now = deps.clock.now()
        await uow.work_orders.save(work_order)
        await audit(
            uow, deps, "work_order.attachment_deleted", actor=principal, entity="work_order",
            entity_id=work_order.id,
            detail={"attachmentId": entry["id"], "sha256": entry["sha256"]},
        )  # fmt: skip
        await uow.commit()
    await discard(deps, entry["key"])
    return {"id": entry["id"], "deleted_at": now}
