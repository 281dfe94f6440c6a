"""Change password (the current one is required): every other session ends at once, and
the caller gets a fresh session so this device stays signed in."""

from __future__ import annotations

from fieldedge.domain.access import Principal
from fieldedge.errors import NotFound, ValidationFailed
from fieldedge.ports.database import Scope
from fieldedge.services.auth import revocation
from fieldedge.services.auth.sessions import TokenPair, open_session
from fieldedge.services.common import audit
from fieldedge.services.deps import Deps


async def change_password(
    principal: Principal, current_password: str, new_password: str, deps: Deps
) -> TokenPair:
    deps.policy.check(new_password, "newPassword")
    scope = Scope.tenant(principal.company_id) if principal.company_id else Scope.system()
    async with deps.db.unit_of_work(scope) as uow:
        user = await uow.users.get(principal.user_id)
    if user is None:
        raise NotFound()
    ok, _ = await deps.passwords.verify(current_password, user.password_hash)
    if not ok:
        raise ValidationFailed(details={"currentPassword": ["This is not your current password."]})
    hashed = await deps.passwords.hash(new_password)
    now = deps.clock.now()
    async with deps.db.unit_of_work(scope) as uow:
        user = await uow.users.get(principal.user_id)
        if user is None:
            raise NotFound()
        user.apply({"password_hash": hashed, "sessions_valid_after": now, "updated_at": now})
        await uow.users.save(user)
        ended = await uow.refresh_tokens.revoke_user(user.id, now)
        marks = revocation.payload(sessions=ended, user_id=user.id, company_id=None)
        await revocation.queue(uow, deps, marks)
        tokens = await open_session(uow, deps, user)  # minted after ``now``: still valid
        await audit(
            uow, deps, "auth.password_changed", actor=principal, entity="user", entity_id=user.id
        )
        await uow.commit()
    await revocation.publish(deps, marks)
    return tokens
