"""Log in with email and password. Any wrong email or password is the same 401 after the
same work: one read before the hash (an unknown email is verified against a dummy
hash), and one transaction after it that writes one audit entry for a failure (the
company's chain, or the platform's for an email nobody has) or the session for a
success."""

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
        view = await uow.users.for_login(email)
    found = view.user if view is not None else None
    user = found if found is not None and found.can_log_in else None
    ok, new_hash = await deps.passwords.verify(cmd.password, user.password_hash if user else None)
    suspended = view is not None and view.company_status not in (None, CompanyStatus.ACTIVE)
    async with deps.db.unit_of_work(Scope.system()) as uow:
        if user is None or not ok:
            await audit(
                uow,
                deps,
                "auth.login_failed",
                company_id=found.company_id if found else None,
                actor_id=found.id if found else None,
                entity="user" if found else None,
                entity_id=found.id if found else None,
                ip=cmd.ip,
            )
            await uow.commit()
            raise InvalidCredentials()
        if suspended:
            raise Forbidden("This company's account is suspended.")
        if new_hash is not None:  # hashed under older parameters: upgrade it now
            user.password_hash = new_hash
            await uow.users.save(user)
        tokens = await open_session(uow, deps, user)
        await audit(
            uow,
            deps,
            "auth.login",
            company_id=user.company_id,
            actor_id=user.id,
            entity="user",
            entity_id=user.id,
            ip=cmd.ip,
        )
        await uow.commit()
    return tokens
