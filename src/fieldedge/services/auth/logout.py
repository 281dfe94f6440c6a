"""Log out: end the presented refresh token's session, its access tokens included."""

from __future__ import annotations

from fieldedge.domain.access import Principal
from fieldedge.ports.database import Scope
from fieldedge.services.auth import revocation
from fieldedge.services.common import audit
from fieldedge.services.deps import Deps
from fieldedge.services.security.tokens import token_hash


async def logout(principal: Principal, refresh_token: str, deps: Deps) -> None:
    """Idempotent: an unknown, foreign or already revoked token changes nothing."""
    scope = Scope.tenant(principal.company_id) if principal.company_id else Scope.system()
    async with deps.db.unit_of_work(scope) as uow:
        token = await uow.refresh_tokens.by_hash(token_hash(refresh_token))
        if token is None or token.user_id != principal.user_id:
            return
        await uow.refresh_tokens.revoke_family(token.family_id, deps.clock.now())
        marks = revocation.payload(sessions=[token.family_id])
        await revocation.queue(uow, deps, marks)
        await audit(
            uow, deps, "auth.logout", actor=principal, entity="user", entity_id=principal.user_id
        )
        await uow.commit()
    await revocation.publish(deps, marks)
