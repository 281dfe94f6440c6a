"""Log in with email and password. Any wrong email or password is the same 401, after the
same work (an unknown email is verified against a dummy hash)."""

from __future__ import annotations

from dataclasses import dataclass

from fieldedge.domain.company import CompanyStatus
from fieldedge.domain.identity import User
from fieldedge.errors import Forbidden, InvalidCredentials
from fieldedge.ports.database import Scope
from fieldedge.services.auth.sessions import TokenPair, open_session
from fieldedge.services.common import audit, normalise_email
from fieldedge.services.deps import Deps


@dataclass(frozen=True, slots=True)
class Login:
    email: str
    password: str
    ip: str | None = None


def scope_of(user: User) -> Scope:
    return Scope.tenant(user.company_id) if user.company_id else Scope.system()


async def login(cmd: Login, deps: Deps) -> TokenPair:
    email = normalise_email(cmd.email)
    async with deps.db.unit_of_work(Scope.system()) as uow:
        found = await uow.users.by_email(email)
    user = found if found is not None and found.can_log_in else None
    ok, new_hash = await deps.passwords.verify(cmd.password, user.password_hash if user else None)
    if user is None or not ok:
        if found is not None and found.company_id is not None:
            async with deps.db.unit_of_work(scope_of(found)) as uow:
                await audit(
                    uow,
                    deps,
                    "auth.login_failed",
                    actor_id=found.id,
                    entity="user",
                    entity_id=found.id,
                    ip=cmd.ip,
                )
                await uow.commit()
        raise InvalidCredentials()
    async with deps.db.unit_of_work(scope_of(user)) as uow:
        if user.company_id is not None:
            company = await uow.companies.get(user.company_id)
            if company is None or company.status is not CompanyStatus.ACTIVE:
                raise Forbidden("This company's account is suspended.")
        current = await uow.users.get(user.id)
        if current is None:
            raise InvalidCredentials()
        if new_hash is not None:  # hashed under older parameters: upgrade it now
            current.password_hash = new_hash
            await uow.users.save(current)
        tokens = await open_session(uow, deps, current)
        await audit(
            uow, deps, "auth.login", actor_id=user.id, entity="user", entity_id=user.id, ip=cmd.ip
        )
        await uow.commit()
    return tokens
