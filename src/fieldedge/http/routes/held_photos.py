"""Photos a row holds, uploaded multipart (the file in field ``file``, nothing beside
it) and read as the visit photos are (a 307 to a signed URL, or the bytes):
an expense line's receipt and an attendance day's punch-in selfie."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.http.body import validate
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import principal_of
from fieldedge.http.paths import path_id
from fieldedge.http.routes.attendance_schemas import AttendanceOut
from fieldedge.http.routes.expense_schemas import EmptyBody, ExpenseOut
from fieldedge.http.routes.photos import photo_response, read_upload
from fieldedge.http.schemas import ResponseModel
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services.expense_receipts import (
    add_receipt,
    add_selfie,
    read_receipt,
    read_selfie,
)


async def file_only(request: Request) -> bytes:
    data, fields = await read_upload(request)
    validate(EmptyBody, fields)  # any other field is a 422 naming it
    return data


def stored(request: Request, model: type[ResponseModel], row: Any, new: bool) -> Response:
    response = ok(request, render(model, row), status=201)
    if not new:  # the same photo uploaded again: its first answer, marked as a replay
        response.headers["Idempotent-Replayed"] = "true"
    return response


async def upload_receipt_route(request: Request) -> Response:
    claim_id, line_id = path_id(request), path_id(request, "line_id")
    data = await file_only(request)
    claim, new = await add_receipt(principal_of(request), claim_id, line_id, data, deps_of(request))
    return stored(request, ExpenseOut, claim, new)


async def read_receipt_route(request: Request) -> Response:
    read = await read_receipt(
        principal_of(request), path_id(request), path_id(request, "line_id"), deps_of(request)
    )
    return photo_response(read)


async def upload_selfie_route(request: Request) -> Response:
    day_id = path_id(request)
    data = await file_only(request)
    day, new = await add_selfie(principal_of(request), day_id, data, deps_of(request))
    return stored(request, AttendanceOut, day, new)


async def read_selfie_route(request: Request) -> Response:
    read = await read_selfie(principal_of(request), path_id(request), deps_of(request))
    return photo_response(read)


_UPLOAD: dict[str, Any] = {
    "file_field": "file",
    "status": 201,
    "rate_class": "upload",
    "errors": (
        e.Forbidden,
        e.NotFound,
        e.Conflict,
        e.PayloadTooLarge,
        e.UnsupportedMediaType,
        e.ValidationFailed,
        e.MalformedRequest,
    ),
}
_READ: dict[str, Any] = {
    "rate_class": "read",
    "errors": (e.Forbidden, e.NotFound),
    "media_type": "image/*",
}

routes = [
    Resource(
        "/api/v1/expenses/{id}/lines/{line_id}/receipt",
        {
            "POST": Operation(
                upload_receipt_route,
                "Attach a receipt photo to a line of one's own DRAFT claim (multipart 'file')",
                tags=("expenses",),
                response=ExpenseOut,
                **_UPLOAD,
            ),
            "GET": Operation(
                read_receipt_route,
                "Read a line's receipt: 307 to a signed URL (S3/R2) or the bytes (local disk)",
                tags=("expenses",),
                **_READ,
            ),
        },
    ),
    Resource(
        "/api/v1/attendance/{id}/selfie",
        {
            "POST": Operation(
                upload_selfie_route,
                "Attach the punch-in selfie to one's own day, once (multipart 'file')",
                tags=("attendance",),
                response=AttendanceOut,
                **_UPLOAD,
            ),
            "GET": Operation(
                read_selfie_route,
                "Read a day's selfie: 307 to a signed URL (S3/R2) or the bytes (local disk)",
                tags=("attendance",),
                **_READ,
            ),
        },
    ),
]
