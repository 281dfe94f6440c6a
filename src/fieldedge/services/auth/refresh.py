"""Rotate a refresh token. A token presented twice means it was stolen or replayed: the
whole family (session) is revoked, its access tokens refused from the next request, and
a security event is written."""

from __future__ import annotations

from dataclasses import dataclass

from fieldedge.domain.company import CompanyStatus
from fieldedge.errors import InvalidToken
from fieldedge.ports.database import Scope
from fieldedge.services.auth import revocation
from fieldedge.services.auth.sessions import TokenPair, open_session
from fieldedge.services.common import audit
from fieldedge.services.deps import Deps
from fieldedge.services.security.tokens import token_hash


@dataclass(frozen=True, slots=True)
class Refresh:
    refresh_token: str
    ip: str | None = None


async def refresh(cmd: Refresh, deps: Deps) -> TokenPair:
    now = deps.clock.now()
    async with deps.db.unit_of_work(Scope.system()) as uow:
        token = await uow.refresh_tokens.by_hash(token_hash(cmd.refresh_token))
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise InvalidToken("This refresh token is not valid.")
    scope = Scope.tenant(token.company_id) if token.company_id else Scope.system()
    async with deps.db.unit_of_work(scope) as uow:
        if not await uow.refresh_tokens.mark_used(token.id, now):
            await uow.refresh_tokens.revoke_family(token.family_id, now)
            marks = revocation.payload(sessions=[token.family_id])
            await revocation.queue(uow, deps, marks)
            await audit(
                uow,
                deps,
                "auth.refresh_reuse",
                actor_id=token.user_id,
                entity="user",
                entity_id=token.user_id,
                ip=cmd.ip,
                detail={"family": str(token.family_id)},
            )
            await uow.commit()
            await revocation.publish(deps, marks)
            raise InvalidToken("This refresh token was already used; the session is revoked.")
        user = await uow.users.get(token.user_id)
        if user is None or not user.active or user.deleted_at is not None:
            raise InvalidToken("This account is not active.")
        if user.company_id is not None:
            company = await uow.companies.get(user.company_id)
            if company is None or company.status is not CompanyStatus.ACTIVE:
                raise InvalidToken("This company's account is suspended.")
        tokens = await open_session(uow, deps, user, family_id=token.family_id)
        await uow.commit()
    return tokens
