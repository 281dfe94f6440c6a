"""Turn an API-key secret into the company-wide principal it stands for.

The key is found by its secret's prefix (one indexed read, system scope: the tenant is
what the key says) and its keyed hash compared in constant time. What the KV holds is
read in the request's one round trip with its rate limit: whether the company is
suspended (``revocation``'s company mark) and whether the key was used in the last
minute; only when it was not is ``last_used_at`` written (a KV ``SET NX`` and one
UPDATE, at most once a minute per key on every instance together).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fieldedge.domain.access import Principal
from fieldedge.domain.api_keys import ApiKey
from fieldedge.domain.company import CompanyStatus
from fieldedge.domain.identity import Role
from fieldedge.errors import DependencyUnavailable, Forbidden, InvalidToken, TokenExpired
from fieldedge.ports.database import Scope
from fieldedge.services.deps import Deps
from fieldedge.services.security.api_key_secrets import matches, prefix_of

USED_EVERY_S = 60.0
NOT_VALID = "This API key is not valid."
SUSPENDED = "This company's account is suspended."


@dataclass(frozen=True, slots=True)
class KeyCaller:
    """A key whose secret checked out; not yet checked against the KV's marks."""

    key: ApiKey
    principal: Principal

    @property
    def marks(self) -> list[str]:
        return [f"fe:rev:c:{self.key.company_id}", used_mark(self.key)]


def used_mark(key: ApiKey) -> str:
    return f"fe:key:used:{key.id}"


async def find(secret: str, deps: Deps, *, ip: str | None = None) -> KeyCaller:
    prefix = prefix_of(secret)
    if prefix is None:
        raise InvalidToken(NOT_VALID)
    async with deps.db.unit_of_work(Scope.system()) as uow:
        key = await uow.api_keys.by_prefix(prefix)
    now = deps.clock.now()
    stored = key.hash_for(prefix, now) if key is not None else None
    if key is None or stored is None or not matches(secret, stored, deps.settings.jwt_key):
        raise InvalidToken(NOT_VALID)
    if key.revoked_at is not None:
        raise InvalidToken("This API key was revoked.")
    if key.refusal(now) is not None:
        raise TokenExpired("This API key has expired.")
    principal = Principal(
        user_id=key.created_by,
        company_id=key.company_id,
        role=Role.ADMIN,  # company-wide; ``access.require`` narrows it to the scopes
        ip=ip,
        api_key_id=key.id,
        scopes=frozenset(key.scopes),
    )
    return KeyCaller(key, principal)


async def admit(caller: KeyCaller, deps: Deps, values: Sequence[bytes | None] | None) -> Principal:
    """The principal unless its company is suspended. ``values`` are the KV's answers
    for ``caller.marks``, or None when it could not say: then the database decides."""
    if values is None:
        async with deps.db.unit_of_work(Scope.tenant(caller.key.company_id)) as uow:
            company = await uow.companies.get(caller.key.company_id)
        if company is None or company.status is not CompanyStatus.ACTIVE:
            raise Forbidden(SUSPENDED)
        return caller.principal
    suspended, used = values
    if suspended is not None:
        raise Forbidden(SUSPENDED)
    if used is None:
        await _touch(caller.key, deps)
    return caller.principal


async def _touch(key: ApiKey, deps: Deps) -> None:
    """Write ``last_used_at`` if no instance did in the last minute (best effort: a KV
    that cannot say means no write rather than one per request)."""
    try:
        first = await deps.kv.set(used_mark(key), b"1", ttl_s=USED_EVERY_S, nx=True)
    except DependencyUnavailable:
        return
    if first:
        async with deps.db.unit_of_work(Scope.tenant(key.company_id)) as uow:
            await uow.api_keys.touch(key.id, deps.clock.now())
            await uow.commit()
