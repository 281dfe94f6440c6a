"""API keys: an ADMIN makes, lists, rotates and revokes the company's integration keys.

The secret is in the answer to create and rotate only; the database keeps its keyed
hash (``security.api_key_secrets``). Every change is in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.api_keys import ApiKey
from fieldedge.errors import ValidationFailed
from fieldedge.ports.database import Scope
from fieldedge.services.common import at_or_now, audit, found
from fieldedge.services.deps import Deps
from fieldedge.services.pagination import Page, after_id, page_by_id
from fieldedge.services.security.api_key_secrets import new_secret


@dataclass(frozen=True, slots=True)
class CreateKey:
    name: str
    scopes: Sequence[str]
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key: ApiKey
    secret: str  # shown once


async def create_key(principal: Principal, cmd: CreateKey, deps: Deps) -> IssuedKey:
    require(principal, Action.API_KEY_MANAGE)
    now = deps.clock.now()
    expires_at = at_or_now(cmd.expires_at, now, "expiresAt") if cmd.expires_at else None
    if expires_at is not None and expires_at <= now:
        raise ValidationFailed(details={"expiresAt": ["Must be in the future."]})
    issued = new_secret(deps.settings.jwt_key)
    key = ApiKey(
        id=deps.ids.new(),
        company_id=principal.tenant,
        name=cmd.name,
        scopes=list(cmd.scopes),
        created_by=principal.user_id,
        prefix=issued.prefix,
        secret_hash=issued.hash,
        expires_at=expires_at,
        created_at=now,
        updated_at=now,
    )
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        await uow.api_keys.add(key)
        await audit(
            uow, deps, "api_key.created", actor=principal, entity="api_key", entity_id=key.id,
            detail={"name": key.name, "scopes": key.scopes, "prefix": key.prefix},
        )  # fmt: skip
        await uow.commit()
    return IssuedKey(key, issued.secret)


async def list_keys(
    principal: Principal, cursor: str | None, limit: int, deps: Deps
) -> Page[ApiKey]:
    require(principal, Action.API_KEY_MANAGE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        rows = await uow.api_keys.list(after=after_id(cursor), limit=limit + 1)
    return page_by_id(rows, limit)


async def get_key(principal: Principal, key_id: UUID, deps: Deps) -> ApiKey:
    require(principal, Action.API_KEY_MANAGE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        return found(await uow.api_keys.get(key_id), "API key")


async def rotate_key(principal: Principal, key_id: UUID, grace: timedelta, deps: Deps) -> IssuedKey:
    """A new secret; the old one keeps working for ``grace`` (at most seven days)."""
    require(principal, Action.API_KEY_MANAGE)
    now = deps.clock.now()
    issued = new_secret(deps.settings.jwt_key)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        key = found(await uow.api_keys.get(key_id, lock=True), "API key")
        key.rotate(issued.prefix, issued.hash, grace, now)
        await uow.api_keys.save(key)
        await audit(
            uow, deps, "api_key.rotated", actor=principal, entity="api_key", entity_id=key.id,
            detail={"prefix": key.prefix, "graceSeconds": int(grace.total_seconds())},
        )  # fmt: skip
        await uow.commit()
    return IssuedKey(key, issued.secret)


async def revoke_key(principal: Principal, key_id: UUID, deps: Deps) -> ApiKey:
    """Revoked at once: every request reads the key's row, so no cache outlives this."""
    require(principal, Action.API_KEY_MANAGE)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        key = found(await uow.api_keys.get(key_id, lock=True), "API key")
        if key.revoked_at is None:
            key.revoke(deps.clock.now())
            await uow.api_keys.save(key)
            await audit(
                uow, deps, "api_key.revoked", actor=principal, entity="api_key",
                entity_id=key.id,
            )  # fmt: skip
            await uow.commit()
    return key
