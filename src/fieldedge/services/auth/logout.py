"""Log out: revoke the presented refresh token's family (this device's session)."""

from __future__ import annotations

from fieldedge.domain.access import Principal
from fieldedge.ports.database import Scope
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
        await audit(
            uow, deps, "auth.logout", actor=principal, entity="user", entity_id=principal.user_id
        )
        await uow.commit()
