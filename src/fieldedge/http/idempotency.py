"""``Idempotency-Key`` on writes: a replay returns the first response byte for byte.

The write and its record commit in one transaction (``Database.request_transaction``):
the record is claimed first (a concurrent duplicate waits briefly on it, then replays,
or is told ``IDEMPOTENCY_IN_PROGRESS``), the handler runs with every unit of work it
opens joining the transaction, and the response it produced is stored before the single
commit. A crash before that commit leaves nothing; a crash after it leaves a record
that replays. Only successful responses are recorded: a refused request (validation,
auth, conflict) writes nothing, so the client may fix it and retry with the same key.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from fieldedge.domain.idempotency import (
    MAX_KEY_LENGTH,
    IdempotencyRecord,
    IdempotencyStatus,
    fingerprint,
)
from fieldedge.errors import IdempotencyInProgress, IdempotencyKeyReused, ValidationFailed
from fieldedge.http.deps import deps_of
from fieldedge.http.guard import principal_of
from fieldedge.ports.database import Scope

Handler = Callable[[Request], Awaitable[Response]]
HEADERS = ("idempotency-key", "x-idempotency-key")
RETENTION = timedelta(hours=24)
REPLAYED = "Idempotent-Replayed"
_KEY = re.compile(r"[\x21-\x7e]+")
# Response headers worth replaying; the rest (security, rate limit) belong to the retry.
_KEPT = ("content-type", "location", "x-request-id")


def idempotency_key(request: Request) -> str | None:
    for name in HEADERS:
        key = request.headers.get(name)
        if key is not None:
            if len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key):
                raise ValidationFailed(
                    details={
                        "Idempotency-Key": [f"1 to {MAX_KEY_LENGTH} visible ASCII characters."]
                    }
                )
            return key
    return None


def _replay(record: IdempotencyRecord) -> Response:
    headers = {**record.response_headers, REPLAYED: "true"}
    return Response(
        record.response_body or b"", status_code=record.response_status or 200, headers=headers
    )


async def run_idempotent(request: Request, handler: Handler, key: str) -> Response:
    deps = deps_of(request)
    principal = principal_of(request)
    now = deps.clock.now()
    claim = IdempotencyRecord(
        id=deps.ids.new(),
        company_id=principal.tenant,
        user_id=principal.user_id,
        key=key,
        fingerprint=fingerprint(request.method, request.url.path, await request.body()),
        created_at=now,
        expires_at=now + RETENTION,
    )
    async with deps.db.request_transaction(Scope.tenant(principal.tenant)) as tx:
        existing = await tx.idempotency.claim(claim)
        if existing is not None:
            if existing.fingerprint != claim.fingerprint:
                raise IdempotencyKeyReused()
            if existing.status is IdempotencyStatus.COMPLETED:
                return _replay(existing)
            raise IdempotencyInProgress()
        response = await handler(request)
        if 200 <= response.status_code < 300:
            headers = {k: v for k, v in response.headers.items() if k in _KEPT}
            headers["x-request-id"] = request.scope.get("state", {}).get("request_id", "")
            await tx.idempotency.complete(
                claim.id, status=response.status_code, headers=headers, body=bytes(response.body)
            )
            await tx.commit()
        return response
