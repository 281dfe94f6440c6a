"""``/api/v1/imports``: an ADMIN's bulk import of products or users from CSV (202: a job
applies it), its status and counts, and its per-row report as CSV."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.domain.imports import ImportKind
from fieldedge.http.body import read_query
from fieldedge.http.csv_out import csv_attachment
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import principal_of
from fieldedge.http.paths import path_id
from fieldedge.http.routes.import_schemas import ImportOut, ImportQuery
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services.imports import records

TAGS = ("imports",)
_SMALL_FIELD = 64 * 1024


async def _upload(request: Request, cap: int) -> tuple[bytes, str | None]:
    """The CSV: a multipart part ``file``, or the whole ``text/csv`` body."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media == "text/csv":
        return await request.body(), None
    if media != "multipart/form-data":
        raise e.UnsupportedMediaType(
            "Send the CSV as multipart/form-data (field 'file') or as a text/csv body."
        )
    try:
        async with request.form(max_files=1, max_fields=4, max_part_size=_SMALL_FIELD) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise e.ValidationFailed(details={"file": ["Attach the CSV as a file."]})
            return await upload.read(cap + 1), upload.filename
    except HTTPException as exc:  # Starlette's multipart errors (bad framing, too many parts)
        raise e.MalformedRequest(f"The multipart body is not valid: {exc.detail}") from None


async def create_route(request: Request) -> Response:
    records.may_import(principal_of(request))
    query = read_query(request, ImportQuery)
    deps = deps_of(request)
    cap = deps.settings.max_upload_bytes
    data, name = await _upload(request, cap)
    if len(data) > cap:
        raise e.PayloadTooLarge(f"The file is over {cap} bytes.")
    record = await records.start_import(
        principal_of(request), ImportKind(query.kind), (name or query.file_name or ""), data,
        deps, dry_run=query.dry_run,
    )  # fmt: skip
    return ok(request, render(ImportOut, record), status=202)


async def get_route(request: Request) -> Response:
    record = await records.get_import(principal_of(request), path_id(request), deps_of(request))
    return ok(request, render(ImportOut, record))


async def report_route(request: Request) -> Response:
    import_id = path_id(request)
    parts = await records.report_parts(principal_of(request), import_id, deps_of(request))
    return csv_attachment(request, f"import-{import_id}-report.csv", parts)


routes = [
    Resource(
        "/api/v1/imports",
        {
            "POST": Operation(
                create_route,
                "Import products or users from CSV (ADMIN): stored, then applied by a job",
                query=ImportQuery,
                tags=TAGS,
                file_field="file",
                file_type="text/csv",
                response=ImportOut,
                status=202,
                rate_class="write",
                errors=(
                    e.Forbidden,
                    e.MalformedRequest,
                    e.PayloadTooLarge,
                    e.UnsupportedMediaType,
                    e.ValidationFailed,
                ),
            ),
        },
    ),
    Resource(
        "/api/v1/imports/{id}",
        {
            "GET": Operation(
                get_route,
                "An import's status and counts (ADMIN)",
                response=ImportOut,
                tags=TAGS,
                rate_class="read",
                errors=(e.Forbidden, e.NotFound),
            ),
        },
    ),
    Resource(
        "/api/v1/imports/{id}/report",
        {
            "GET": Operation(
                report_route,
                "An import's per-row report as CSV: line,key,outcome,message (ADMIN)",
                tags=TAGS,
                rate_class="read",
                media_type="text/csv",
                errors=(e.Forbidden, e.NotFound),
            ),
        },
    ),
]
