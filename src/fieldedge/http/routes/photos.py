"""Visit photos: multipart upload through the API, presigned upload straight to storage,
and reads that redirect to a short-lived signed URL (S3/R2) or stream (local disk).

The multipart route ignores the part's declared content type: ``inspect_photo`` decides
from the bytes (Pillow reads the header and checks the file is whole). The body limit
middleware already stops a body over 10 MiB plus framing; a file just over 10 MiB
inside that framing is refused by ``inspect_photo``.
"""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from fieldedge import errors as e
from fieldedge.domain.photos import MAX_PHOTO_BYTES
from fieldedge.http.body import read_fields, read_json, validate
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import principal_of
from fieldedge.http.paths import path_id
from fieldedge.http.routes.fieldforce_schemas import (
    PhotoIdsBody,
    PhotoOut,
    UploadUrlBody,
    UploadUrlOut,
)
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services.owned_photos import SignedRead
from fieldedge.services.photos import (
    PhotoIds,
    PhotoRead,
    add_photo,
    complete_upload,
    read_photo,
    request_upload,
)

TAGS = ("visits",)
_SMALL_FIELD = 64 * 1024  # any non-file field; the photo itself is a file part


async def read_upload(request: Request) -> tuple[bytes, dict[str, str]]:
    """The file part (one byte past the cap at most) and the text fields beside it."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "multipart/form-data":
        raise e.UnsupportedMediaType("Send the photo as multipart/form-data, in the field 'file'.")
    try:
        async with request.form(max_files=1, max_fields=8, max_part_size=_SMALL_FIELD) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise e.ValidationFailed(details={"file": ["Attach the photo as a file."]})
            fields = {k: v for k, v in form.items() if k != "file" and isinstance(v, str)}
            # One byte past the cap is enough to know it is too large.
            return await upload.read(MAX_PHOTO_BYTES + 1), read_fields(fields)
    except HTTPException as exc:  # Starlette's multipart errors (bad framing, too many parts)
        raise e.MalformedRequest(f"The multipart body is not valid: {exc.detail}") from None


async def _file_bytes(request: Request) -> tuple[bytes, PhotoIds]:
    """The file part, and the optional ``photoId`` and ``capturedAt`` fields beside it."""
    data, fields = await read_upload(request)
    ids = validate(PhotoIdsBody, fields)
    return data, PhotoIds(ids.photo_id, ids.captured_at)


def photo_response(read: PhotoRead | SignedRead) -> Response:
    """A stored photo: 307 to its signed URL, or its bytes; never kept by a shared cache."""
    headers = {"Cache-Control": "private, no-store"}
    if read.url is not None:
        return RedirectResponse(read.url, status_code=307, headers=headers)
    if read.stored is None:
        raise e.NotFound("No such photo.")
    media = read.photo.content_type if isinstance(read, PhotoRead) else read.content_type
    return Response(read.stored.data, media_type=media, headers=headers)


async def upload_route(request: Request) -> Response:
    principal, deps, visit_id = principal_of(request), deps_of(request), path_id(request)
    data, ids = await _file_bytes(request)
    photo, new = await add_photo(principal, visit_id, data, deps, ids)
    response = ok(request, render(PhotoOut, photo), status=201)
    if not new:  # the same photo uploaded again: its first answer, marked as a replay
        response.headers["Idempotent-Replayed"] = "true"
    return response


async def upload_url_route(request: Request) -> Response:
    body = await read_json(request, UploadUrlBody)
    ids = PhotoIds(body.photo_id, body.captured_at)
    ticket = await request_upload(
        principal_of(request), path_id(request), body.content_type, deps_of(request), ids
    )
    out = UploadUrlOut(
        photo_id=ticket.photo.id,
        upload_url=ticket.upload.url,
        method=ticket.upload.method,
        headers=ticket.upload.headers,
        expires_at=ticket.expires_at,
    )
    return ok(request, out, status=201)


async def complete_route(request: Request) -> Response:
    photo = await complete_upload(
        principal_of(request), path_id(request), path_id(request, "photo_id"), deps_of(request)
    )
    return ok(request, render(PhotoOut, photo))


async def read_route(request: Request) -> Response:
    read = await read_photo(
        principal_of(request), path_id(request), path_id(request, "photo_id"), deps_of(request)
    )
    return photo_response(read)


_UPLOAD_ERRORS = (
    e.Forbidden,
    e.NotFound,
    e.PayloadTooLarge,
    e.UnsupportedMediaType,
    e.ValidationFailed,
)

routes = [
    Resource(
        "/api/v1/visits/{id}/photos",
        {
            "POST": Operation(
                upload_route,
                "Upload a photo to one's own visit (multipart, field 'file'; JPEG/PNG/WebP)",
                tags=TAGS,
                file_field="file",
                response=PhotoOut,
                status=201,
                rate_class="upload",
                errors=(*_UPLOAD_ERRORS, e.MalformedRequest),
            ),
        },
    ),
    Resource(
        "/api/v1/visits/{id}/photos/upload-url",
        {
            "POST": Operation(
                upload_url_route,
                "Get a presigned URL to PUT a photo straight to storage",
                tags=TAGS,
                body=UploadUrlBody,
                response=UploadUrlOut,
                status=201,
                rate_class="upload",
                errors=_UPLOAD_ERRORS,
            ),
        },
    ),
    Resource(
        "/api/v1/visits/{id}/photos/{photo_id}/complete",
        {
            "POST": Operation(
                complete_route,
                "Check a presigned upload's size and bytes, then accept it",
                tags=TAGS,
                response=PhotoOut,
                rate_class="upload",
                errors=(*_UPLOAD_ERRORS, e.Conflict),
            ),
        },
    ),
    Resource(
        "/api/v1/visits/{id}/photos/{photo_id}",
        {
            "GET": Operation(
                read_route,
                "Read a photo: 307 to a signed URL (S3/R2) or the bytes (local disk)",
                tags=TAGS,
                rate_class="read",
                errors=(e.Forbidden, e.NotFound),
                media_type="image/*",
            ),
        },
    ),
]
