"""``GET`` / ``PUT /api/files/{key}``: the API playing S3 for the local-disk store.

With ``STORAGE_URL=file://...`` the store's presigned URLs point here. The URL itself is
the credential (as an S3 presigned URL is), so these routes take no bearer token: they
check the HMAC signature and expiry from ``fieldedge.signing`` and nothing else. With
S3 storage the clients talk to the bucket and these routes answer 404.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fieldedge.errors import InvalidToken, NotFound, PayloadTooLarge, ValidationFailed
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.spec import Operation, Resource
from fieldedge.services.deps import Deps
from fieldedge.signing import storage_signing_key, verify_file_signature

_REFUSED = "signature invalid or expired"


def _authorise(request: Request, deps: Deps, *, method: str, content_type: str | None) -> str:
    """The object key, once the URL's signature and expiry check out."""
    if deps.storage.name != "file":
        raise NotFound()
    key: str = request.path_params["key"]
    valid = verify_file_signature(
        storage_signing_key(deps.settings.jwt_key),
        method=method,
        key=key,
        expires=request.query_params.get("expires"),
        sig=request.query_params.get("sig"),
        now=deps.clock.now().timestamp(),
        content_type=content_type,
    )
    if not valid:
        raise InvalidToken(_REFUSED)
    return key


async def download(request: Request) -> Response:
    deps = deps_of(request)
    key = _authorise(request, deps, method="GET", content_type=None)
    stored = await deps.storage.get(key)
    # The URL is the credential: keep the bytes out of shared caches.
    headers = {"Cache-Control": "private, no-store"}
    return Response(stored.data, media_type=stored.info.content_type, headers=headers)


async def upload(request: Request) -> Response:
    deps = deps_of(request)
    content_type = request.headers.get("content-type", "")
    # The content type is part of the signed message, so storing under another type
    # than the one the API agreed to fails here, as it does on S3.
    key = _authorise(request, deps, method="PUT", content_type=content_type)
    limit = deps.settings.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The file is over {limit} bytes.")
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise PayloadTooLarge(f"The file is over {limit} bytes.")
        chunks.append(chunk)
    await deps.storage.put(key, b"".join(chunks), content_type=content_type)
    return ok(request, None)


_ERRORS = (InvalidToken, NotFound, ValidationFailed)

routes = [
    Resource(
        "/api/files/{key:path}",
        {
            "GET": Operation(
                download,
                "Download a file through a signed URL (local storage only)",
                ("files",),
                auth=False,
                errors=_ERRORS,
                media_type="application/octet-stream",
            ),
            "PUT": Operation(
                upload,
                "Upload a file through a signed URL (local storage only)",
                ("files",),
                auth=False,
                errors=(*_ERRORS, PayloadTooLarge),
            ),
        },
    ),
]
