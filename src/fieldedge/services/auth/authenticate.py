"""Turn a bearer token into a ``Principal`` without the database.

The token's signature, claims and lifetime are checked here; whether the session was
ended, the user's tokens were revoked or the company suspended since it was minted is
read from the KV marks (``revocation``), in the same round trip as the request's rate
limit, and from the database only when the KV cannot answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fieldedge.domain.access import Principal
from fieldedge.errors import DependencyUnavailable
from fieldedge.services.auth import revocation
from fieldedge.services.deps import Deps
from fieldedge.services.security.tokens import AccessClaims


@dataclass(frozen=True, slots=True)
class Bearer:
    """A token whose signature and claims checked out; not yet checked for revocation."""

    claims: AccessClaims
    principal: Principal

    @property
    def marks(self) -> list[str]:
        return revocation.marks(self.claims)


def verify(token: str, deps: Deps, *, ip: str | None = None) -> Bearer:
    claims = deps.tokens.verify(token, now=deps.clock.now())
    principal = Principal(
        user_id=claims.user_id,
        company_id=claims.company_id,
        role=claims.role,
        ip=ip,
        session_id=claims.session_id,
    )
    return Bearer(claims, principal)


async def admit(bearer: Bearer, deps: Deps, marks: Sequence[bytes | None] | None) -> Principal:
    """The principal, unless a revocation refuses the token. ``marks`` are the values of
    ``bearer.marks`` as the KV gave them, or None when it could not: then the database
    decides (fail closed)."""
    if marks is None:
        await revocation.check_in_database(bearer.claims, deps)
    else:
        revocation.check(bearer.claims, marks)
    return bearer.principal


async def authenticate(token: str, deps: Deps, *, ip: str | None = None) -> Principal:
    """Verify and admit in one call (routes without a rate limit, the CLI, tests)."""
    bearer = verify(token, deps, ip=ip)
    try:
        values: list[bytes | None] | None = await deps.kv.get_many(bearer.marks)
    except DependencyUnavailable:
        values = None
    return await admit(bearer, deps, values)
