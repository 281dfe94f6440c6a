"""``Idempotency-Key`` on writes: a replay returns the first response byte for byte.

The write and its record commit in one transaction (``Database.request_transaction``):
the record is looked up first (a completed one replays at once), the handler runs with
every unit of work it opens joining the transaction, and the response it produced is
then written as the record, once, before the single commit. A crash before that commit
leaves nothing; a crash after it leaves a record that replays.

Two concurrent requests with one key both run; the second's record write meets the
first's (on Postgres it waits for the first's commit, bounded by the lock wait), so the
second rolls its own work back and replays the first's response instead, or answers
``IDEMPOTENCY_IN_PROGRESS`` when the first is still running past that bound. Only
successful responses are recorded: a refused request (validation, auth, conflict)
writes nothing, so the client may fix it and retry with the same key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from fieldedge.domain.idempotency import MAX_KEY_LENGTH, IdempotencyRecord, fingerprint
from fieldedge.errors import (
    FieldedgeError,
    IdempotencyInProgress,
    IdempotencyKeyReused,
    ValidationFailed,
)
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


def _replay(record: IdempotencyRecord, print_: str) -> Response:
    if record.fingerprint != print_:
        raise IdempotencyKeyReused()
    headers = {**record.response_headers, REPLAYED: "true"}
    return Response(record.response_body, status_code=record.response_status, headers=headers)


def _namespaced(request: Request, key: str) -> str:
    """An API key's records are its own, not those of the ADMIN it writes as (whose id
    is the record's user): the key's id and a digest of the client's key, 98 characters."""
    api_key_id = principal_of(request).api_key_id
    if api_key_id is None:
        return key
    return f"k{api_key_id.hex}:{hashlib.sha256(key.encode()).hexdigest()}"


async def run_idempotent(request: Request, handler: Handler, key: str) -> Response:
    print_ = fingerprint(request.method, request.url.path, await request.body())
    key = _namespaced(request, key)
    try:
        response = await _first_time(request, handler, key, print_)
    except FieldedgeError:
        # A refusal may be the echo of a concurrent duplicate that won (its user, its
        # unique value, committed while this one waited): then its answer is the answer.
        if (winner := await _recorded(request, key)) is None:
            raise
        return _replay(winner, print_)
    if response is not None:
        return response
    # Another request with this key got there first: its answer is the answer.
    winner = await _recorded(request, key)
    if winner is None:
        raise IdempotencyInProgress()
    return _replay(winner, print_)


async def _recorded(request: Request, key: str) -> IdempotencyRecord | None:
    deps, principal = deps_of(request), principal_of(request)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        return await uow.idempotency.find(principal.user_id, key, now=deps.clock.now())


async def _first_time(request: Request, handler: Handler, key: str, print_: str) -> Response | None:
    """The response, recorded with the write; a replay of a record found up front; or
    None when a concurrent duplicate recorded the key first (this one rolled back)."""
    deps = deps_of(request)
    principal = principal_of(request)
    now = deps.clock.now()
    async with deps.db.request_transaction(Scope.tenant(principal.tenant)) as tx:
        existing = await tx.idempotency.find(principal.user_id, key, now=now)
        if existing is not None:
            return _replay(existing, print_)
        response = await handler(request)
        if not 200 <= response.status_code < 300:
            return response  # nothing recorded: rolled back with the transaction
        headers = {k: v for k, v in response.headers.items() if k in _KEPT}
        headers["x-request-id"] = request.scope.get("state", {}).get("request_id", "")
        record = IdempotencyRecord(
            id=deps.ids.new(),
            company_id=principal.tenant,
            user_id=principal.user_id,
            key=key,
            fingerprint=print_,
            response_status=response.status_code,
            response_headers=headers,
            response_body=bytes(response.body),
            created_at=now,
            expires_at=now + RETENTION,
        )
        if await tx.commit_recording(record):
            return response
    return None
