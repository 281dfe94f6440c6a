"""Visit photos, uploaded through the API (multipart) or straight to storage (presigned).

Either way a photo is accepted only from its bytes: at most 10 MiB, a whole JPEG, PNG or
WebP with sane dimensions as Pillow reads its header (``photo_check``), whatever the
client called it. Each accepted photo records its SHA-256;
the same hash already on another visit of the tenant flags this visit ``REUSED_PHOTO``
(and so unverifies it). Objects are private under tenant-prefixed keys; reads go through
the same access check as the visit. Accepting a photo stamps its visit with a new
version, since the visit's record (its photos, maybe its flags) changed.

Presigned ``complete`` answers: no object at the key yet → 409 ``CONFLICT`` (PUT it
first, then complete again); over 10 MiB → 413; not an image → 415; the last two delete
the object, so the client may PUT a proper file to the same URL while it is valid.
"""

from __future__ import annotations

import hashlib
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.photos import (
    MAX_PHOTO_BYTES,
    PhotoStatus,
    VisitPhoto,
    declared_image_type,
    photo_key,
)
from fieldedge.domain.visits import Visit, VisitFlag
from fieldedge.errors import (
    Conflict,
    FieldedgeError,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.storage import PresignedUpload, StoredObject
from fieldedge.services.common import audit, commit_new, new_id
from fieldedge.services.deps import Deps
from fieldedge.services.owned_photos import signed_read
from fieldedge.services.photo_check import inspect_photo
from fieldedge.services.visits import own_visit, visible_visit

UPLOAD_URL_TTL_S = 900


@dataclass(frozen=True, slots=True)
class UploadTicket:
    photo: VisitPhoto
    upload: PresignedUpload
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class PhotoRead:
    """Either a short-lived URL to redirect to (S3/R2) or the bytes (local disk)."""

    photo: VisitPhoto
    url: str | None = None
    stored: StoredObject | None = None


async def _accept(
    uow: UnitOfWork, deps: Deps, principal: Principal, visit: Visit, photo_id: UUID, sha256: str
) -> None:
    """After a checked photo is stored READY: flag reuse, stamp the visit, audit."""
    reused = await uow.photos.used_elsewhere(sha256, visit.id)
    if reused:
        visit.add_flag(VisitFlag.REUSED_PHOTO)
    visit.updated_at = deps.clock.now()
    await uow.visits.save(visit)
    await audit(
        uow,
        deps,
        "visit.photo_added",
        actor=principal,
        entity="visit",
        entity_id=visit.id,
        detail={"photoId": str(photo_id), "sha256": sha256, "reused": reused},
    )


@dataclass(frozen=True, slots=True)
class PhotoIds:
    """A client's own id for a photo (taken offline, uploaded after its visit was pushed)
    and when it was taken; both optional."""

    photo_id: UUID | None = None
    captured_at: datetime | None = None


async def add_photo(
    principal: Principal, visit_id: UUID, data: bytes, deps: Deps, ids: PhotoIds | None = None
) -> tuple[VisitPhoto, bool]:
    """A photo uploaded through the API (the multipart route has already read it), and
    whether it is new: a retried upload of the same photo id with the same bytes is the
    same photo, not a second copy (and never flagged as reused against itself)."""
    require(principal, Action.VISIT_WRITE)
    ids = ids or PhotoIds()
    scope = Scope.tenant(principal.tenant)
    image = inspect_photo(data)
    sha256 = hashlib.sha256(data).hexdigest()
    async with deps.db.unit_of_work(scope) as uow:
        await own_visit(uow, principal, visit_id)  # refuse before touching storage
        if ids.photo_id is not None:
            existing = await uow.photos.get(visit_id, ids.photo_id)
            if existing is not None:
                if existing.sha256 != sha256:
                    raise Conflict("This photo id holds another photo; make a new id.")
                return existing, False
    photo_id = new_id(deps, ids.photo_id)
    key = photo_key(principal.tenant, visit_id, photo_id, image.extension)
    await deps.storage.put(key, data, content_type=image.content_type)
    try:
        async with deps.db.unit_of_work(scope) as uow:
            visit = await own_visit(uow, principal, visit_id, lock=True)
            photo = VisitPhoto(
                id=photo_id,
                company_id=principal.tenant,
                visit_id=visit.id,
                key=key,
                content_type=image.content_type,
                size=len(data),
                sha256=sha256,
                status=PhotoStatus.READY,
                captured_at=ids.captured_at,
                created_at=deps.clock.now(),
                updated_at=deps.clock.now(),
            )
            await uow.photos.add(photo)
            await _accept(uow, deps, principal, visit, photo_id, sha256)
            await commit_new(uow, ids.photo_id)
    except BaseException:
        with suppress(FieldedgeError):  # no row, so no object either: nothing half-written
            await deps.storage.delete(key)
        raise
    return photo, True


async def request_upload(
    principal: Principal,
    visit_id: UUID,
    content_type: str,
    deps: Deps,
    ids: PhotoIds | None = None,
) -> UploadTicket:
    """A PENDING photo and a presigned PUT for it; ``complete`` checks the bytes after.
    Asked again for the same client photo id, a fresh URL for the same photo."""
    require(principal, Action.VISIT_WRITE)
    ids = ids or PhotoIds()
    declared = declared_image_type(content_type)
    if declared is None:
        raise UnsupportedMediaType("Only JPEG, PNG and WebP photos are accepted.")
    now = deps.clock.now()
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        visit = await own_visit(uow, principal, visit_id)
        existing = None
        if ids.photo_id is not None:
            existing = await uow.photos.get(visit_id, ids.photo_id)
        if existing is not None:
            if existing.status is PhotoStatus.READY:
                raise Conflict("This photo is uploaded already.")
            photo = existing
        else:
            photo_id = new_id(deps, ids.photo_id)
            photo = VisitPhoto(
                id=photo_id,
                company_id=principal.tenant,
                visit_id=visit.id,
                key=photo_key(principal.tenant, visit.id, photo_id, declared.extension),
                content_type=declared.content_type,
                captured_at=ids.captured_at,
                created_at=now,
                updated_at=now,
            )
            await uow.photos.add(photo)
            await audit(
                uow,
                deps,
                "visit.photo_requested",
                actor=principal,
                entity="visit",
                entity_id=visit.id,
                detail={"photoId": str(photo_id)},
            )
        upload = await deps.storage.presign_put(
            photo.key, content_type=photo.content_type, expires_s=UPLOAD_URL_TTL_S
        )
        await commit_new(uow, ids.photo_id)
    return UploadTicket(photo, upload, now + timedelta(seconds=UPLOAD_URL_TTL_S))


async def complete_upload(
    principal: Principal, visit_id: UUID, photo_id: UUID, deps: Deps
) -> VisitPhoto:
    require(principal, Action.VISIT_WRITE)
    scope = Scope.tenant(principal.tenant)
    async with deps.db.unit_of_work(scope) as uow:
        await own_visit(uow, principal, visit_id)
        photo = await uow.photos.get(visit_id, photo_id)
    if photo is None:
        raise NotFound("No such photo.")
    if photo.status is PhotoStatus.READY:
        return photo  # completing twice is harmless
    info = await deps.storage.head(photo.key)
    if info is None:
        raise Conflict("The file has not been uploaded yet: PUT it to uploadUrl, then complete.")
    if info.size > MAX_PHOTO_BYTES:
        await deps.storage.delete(photo.key)
        raise PayloadTooLarge(f"A photo may be at most {MAX_PHOTO_BYTES // (1024 * 1024)} MiB.")
    stored = await deps.storage.get(photo.key)
    try:
        image = inspect_photo(stored.data)
    except (PayloadTooLarge, UnsupportedMediaType):  # 413: grown since the head
        await deps.storage.delete(photo.key)
        raise
    async with deps.db.unit_of_work(scope) as uow:
        visit = await own_visit(uow, principal, visit_id, lock=True)
        current = await uow.photos.get(visit_id, photo_id)
        if current is None:
            raise NotFound("No such photo.")
        if current.status is PhotoStatus.READY:
            return current  # a concurrent complete won
        sha256 = hashlib.sha256(stored.data).hexdigest()
        current.apply(
            {
                "status": PhotoStatus.READY,
                "content_type": image.content_type,
                "size": len(stored.data),
                "sha256": sha256,
                "updated_at": deps.clock.now(),
            }
        )
        await uow.photos.save(current)
        await _accept(uow, deps, principal, visit, current.id, sha256)
        await uow.commit()
    return current


async def read_photo(principal: Principal, visit_id: UUID, photo_id: UUID, deps: Deps) -> PhotoRead:
    require(principal, Action.VISIT_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        await visible_visit(uow, principal, visit_id)
        photo = await uow.photos.get(visit_id, photo_id)
    if photo is None or photo.status is not PhotoStatus.READY:
        raise NotFound("No such photo.")
    read = await signed_read(deps, photo.key, photo.content_type)
    return PhotoRead(photo, url=read.url, stored=read.stored)
