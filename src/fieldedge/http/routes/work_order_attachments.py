"""``/api/v1/work-orders/{id}/attachments``: photos and PDFs on a work order, uploaded
multipart (the file in field ``file``, nothing beside it) and read as the visit photos
are (a 307 to a signed URL, or the bytes); rules in ``services/work_order_attachments``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.http.body import read_query
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import principal_of
from fieldedge.http.lists import ListQuery, page_response
from fieldedge.http.paths import path_id
from fieldedge.http.routes.held_photos import file_only, stored
from fieldedge.http.routes.photos import photo_response
from fieldedge.http.routes.work_order_schemas import AttachmentOut
from fieldedge.http.schemas import DeletedOut
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services import work_order_attachments as service

TAGS = ("work orders",)
PATH = "/api/v1/work-orders/{id}/attachments"


async def upload_route(request: Request) -> Response:
    work_order_id = path_id(request)
    data = await file_only(request)
    entry, new = await service.add_attachment(
        principal_of(request), work_order_id, data, deps_of(request)
    )
    return stored(request, AttachmentOut, entry, new)


async def list_route(request: Request) -> Response:
    query = read_query(request, ListQuery)
    page = await service.list_attachments(
        principal_of(request), path_id(request), query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, AttachmentOut, query.fields)


async def read_route(request: Request) -> Response:
    read = await service.read_attachment(
        principal_of(request), path_id(request), path_id(request, "attachment_id"),
        deps_of(request),
    )  # fmt: skip
    return photo_response(read)


async def delete_route(request: Request) -> Response:
    gone = await service.delete_attachment(
        principal_of(request), path_id(request), path_id(request, "attachment_id"),
        deps_of(request),
    )  # fmt: skip
    return ok(request, render(DeletedOut, gone))


_WRITE_ERRORS = (e.Forbidden, e.NotFound, e.Conflict)
_UPLOAD_ERRORS = (
    *_WRITE_ERRORS,
    e.PayloadTooLarge,
    e.UnsupportedMediaType,
    e.ValidationFailed,
    e.MalformedRequest,
)

routes = [
    Resource(
        PATH,
        {
            "POST": Operation(
                upload_route,
                "Attach a photo (JPEG, PNG, WebP) or a PDF, at most 10 MiB (multipart 'file')",
                tags=TAGS,
                response=AttachmentOut,
                file_field="file",
                status=201,
                rate_class="upload",
                errors=(
                    *_WRITE_ERRORS,
                    e.PayloadTooLarge,
                    e.UnsupportedMediaType,
                    e.ValidationFailed,
                    e.MalformedRequest,
                ),
            ),
            "GET": Operation(
                list_route,
                "A work order's attachments, oldest first",
                tags=TAGS,
                query=ListQuery,
                response=AttachmentOut,
                many=True,
                rate_class="read",
                errors=(e.NotFound, e.ValidationFailed),
            ),
        },
    ),
    Resource(
        PATH + "/{attachment_id}",
        {
            "GET": Operation(
                read_route,
                "Read an attachment: 307 to a signed URL (S3/R2) or the bytes (local disk)",
                tags=TAGS,
                rate_class="read",
                errors=(e.Forbidden, e.NotFound),
                media_type="*/*",
            ),
            "DELETE": Operation(
                delete_route,
                "Remove an attachment (whoever may work the work order; not once finished)",
                tags=TAGS,
                response=DeletedOut,
                rate_class="write",
                errors=_WRITE_ERRORS,
            ),
        },
    ),
]
