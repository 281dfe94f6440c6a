"""Create a platform SUPER_ADMIN (operators, from the CLI): no company, all companies."""

from __future__ import annotations

from fieldedge.domain.identity import Role, User
from fieldedge.ports.database import Scope
from fieldedge.services.auth.register import email_taken
from fieldedge.services.common import normalise_email
from fieldedge.services.deps import Deps


async def create_super_admin(email: str, name: str, password: str, deps: Deps) -> User:
    deps.policy.check(password)
    email = normalise_email(email)
    hashed = await deps.passwords.hash(password)
    now = deps.clock.now()
    async with deps.db.unit_of_work(Scope.system()) as uow:
        if await uow.users.by_email(email) is not None:
            raise email_taken()
        user = User(
            id=deps.ids.new(),
            company_id=None,
            email=email,
            name=name,
            role=Role.SUPER_ADMIN,
            password_hash=hashed,
            created_at=now,
            updated_at=now,
        )
        await uow.users.add(user)
        await uow.commit()
    return user
