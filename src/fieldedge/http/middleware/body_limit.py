"""Cap request bodies before anything reads them: JSON at ``max_json_bytes``, uploads
(multipart, images, octet-stream, CSV imports) at ``max_upload_bytes``. Over the cap is a 413."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fieldedge.errors import MalformedRequest, PayloadTooLarge
from fieldedge.http.envelope import error_body

_UPLOAD_TYPES = ("multipart/form-data", "image/", "application/octet-stream", "text/csv")
# Multipart framing (boundaries, part headers) on top of the file itself.
_MULTIPART_SLACK = 64 * 1024


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_json_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_json = max_json_bytes
        self.max_upload = max_upload_bytes + _MULTIPART_SLACK

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        media = headers.get("content-type", "").lower()
        limit = self.max_upload if media.startswith(_UPLOAD_TYPES) else self.max_json
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                await _refuse(scope, send, MalformedRequest("Content-Length is not a number."))
                return
            if int(declared) > limit:
                await _refuse(scope, send, PayloadTooLarge(f"The body is over {limit} bytes."))
                return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge(f"The body is over {limit} bytes.")
            return message

        await self.app(scope, counted_receive, send)


async def _refuse(scope: Scope, send: Send, exc: MalformedRequest | PayloadTooLarge) -> None:
    body = error_body(scope, exc)
    await send(
        {
            "type": "http.response.start",
            "status": exc.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
