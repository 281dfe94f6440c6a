"""Ending sessions at once: revocation marks in the KV, checked on every request.

An access token lives 15 minutes and is checked without the database, so ending a
session before then needs a mark the next request sees. Three kinds, each kept for an
access token's lifetime (after that every token it could refuse has expired anyway):

- ``fe:rev:s:{sid}``: this session (refresh-token family) ended (logout, a reused
  refresh token, a password change or reset, deactivation).
- ``fe:rev:u:{uid}`` = microseconds: the user's tokens issued before that instant are
  refused (``sessions_valid_after``: a role change, where the token's role is stale
  and the session may refresh; a password change, a reset, a deactivation).
- ``fe:rev:c:{cid}``: the company is suspended.

A request reads its three marks in the same KV round trip as its rate limit. When the
KV cannot answer, the database decides instead (``users.session``: the same facts,
kept there by the writes that make the marks), so revocation fails closed.

A mark is written after the change commits; the change also queued a ``revoke`` outbox
task in its own transaction, so a mark the KV missed (it was down) is written by the
dispatcher when it next runs, never lost. Until then the KV lacks it; while the KV is
down the database answers, so the gap is only between the KV's return and that run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

import structlog

from fieldedge.domain.company import CompanyStatus
from fieldedge.domain.outbox import OutboxEvent
from fieldedge.errors import DependencyUnavailable, Forbidden, InvalidToken
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.services.common import queue_task
from fieldedge.services.deps import Deps
from fieldedge.services.security.tokens import AccessClaims, microseconds

log = structlog.get_logger("fieldedge.revocation")

TASK = "revoke"
SESSION_ENDED = "This session was ended; sign in again."


def marks(claims: AccessClaims) -> list[str]:
    """The keys a request reads for its token, in the order ``check`` expects."""
    keys = [f"fe:rev:s:{claims.session_id}", f"fe:rev:u:{claims.user_id}"]
    if claims.company_id is not None:
        keys.append(f"fe:rev:c:{claims.company_id}")
    return keys


def check(claims: AccessClaims, values: Sequence[bytes | None]) -> None:
    """Refuse the token if a mark says so (the values of ``marks(claims)``)."""
    session, user, *company = values
    if session is not None:
        raise InvalidToken(SESSION_ENDED)
    if user is not None and claims.issued_at_us < int(user):
        raise InvalidToken("This token is out of date; refresh it or sign in again.")
    if company and company[0] is not None:
        raise Forbidden("This company's account is suspended.")


async def check_in_database(claims: AccessClaims, deps: Deps) -> None:
    """The same decision from the database, when the KV could not say."""
    scope = Scope.tenant(claims.company_id) if claims.company_id else Scope.system()
    async with deps.db.unit_of_work(scope) as uow:
        state = await uow.users.session(claims.user_id, claims.session_id)
    if state is None or not state.user_active:
        raise InvalidToken("This account is not active.")
    if state.session_revoked:
        raise InvalidToken(SESSION_ENDED)
    valid_after = state.sessions_valid_after
    if state.role is not claims.role or (
        valid_after is not None and claims.issued_at_us < microseconds(valid_after)
    ):
        raise InvalidToken("This token is out of date; refresh it or sign in again.")
    if claims.company_id is not None and state.company_status is not CompanyStatus.ACTIVE:
        raise Forbidden("This company's account is suspended.")


def _ttl(deps: Deps) -> float:
    # An access token's life, its verification leeway, and a margin for clock drift.
    return float(deps.settings.access_token_ttl_s + 90)


def payload(
    *, sessions: Iterable[UUID] = (), user_id: UUID | None = None, company_id: UUID | None = None
) -> dict[str, Any]:
    """Which marks to bring up to date: ended sessions, a user, a company."""
    return {
        "sessions": sorted(str(s) for s in sessions),
        "user": str(user_id) if user_id else None,
        "company": str(company_id) if company_id else None,
    }


async def queue(uow: UnitOfWork, deps: Deps, marks_of: dict[str, Any]) -> OutboxEvent:
    """Record, in the revoking transaction, which marks it changed: the dispatcher's
    copy, so a mark the KV missed is written later."""
    return await queue_task(uow, deps, company_id=uow.scope.company_id, kind=TASK, payload=marks_of)


async def publish(deps: Deps, marks_of: dict[str, Any]) -> None:
    """Write the marks now (after the commit); when the KV is down the queued task will.

    A user's and a company's marks are written from what the database says now, so a
    late or repeated run can never undo a newer change (a session's mark only ever
    goes from absent to ended)."""
    try:
        await refresh(deps, marks_of)
    except DependencyUnavailable:
        log.warning("revocation.deferred", **{k: v for k, v in marks_of.items() if v})


async def refresh(deps: Deps, marks_of: dict[str, Any]) -> None:
    ttl = _ttl(deps)
    for session in marks_of.get("sessions") or ():
        await deps.kv.set(f"fe:rev:s:{UUID(str(session))}", b"1", ttl_s=ttl)
    user_id = UUID(marks_of["user"]) if marks_of.get("user") else None
    company_id = UUID(marks_of["company"]) if marks_of.get("company") else None
    if user_id is None and company_id is None:
        return
    scope = Scope.tenant(company_id) if company_id else Scope.system()
    async with deps.db.unit_of_work(scope) as uow:
        user = await uow.users.get(user_id) if user_id else None
        company = await uow.companies.get(company_id) if company_id else None
    if user is not None and user.sessions_valid_after is not None:
        await deps.kv.set(
            f"fe:rev:u:{user.id}", str(microseconds(user.sessions_valid_after)).encode(), ttl_s=ttl
        )
    if company is not None:
        key = f"fe:rev:c:{company.id}"
        if company.status is CompanyStatus.SUSPENDED:
            await deps.kv.set(key, b"1", ttl_s=ttl)
        else:
            await deps.kv.delete(key)


async def run_revoke_event(event: OutboxEvent, deps: Deps) -> None:
    """The dispatcher's task: bring the event's marks up to date (raises to be retried)."""
    await refresh(deps, event.payload)
