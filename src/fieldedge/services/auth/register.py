"""Register: a company and its first ADMIN in one transaction, a welcome email queued."""

from __future__ import annotations

from dataclasses import dataclass

from fieldedge.domain.company import Company, country_timezone
from fieldedge.domain.identity import Role, User
from fieldedge.errors import Conflict
from fieldedge.ports.database import Scope
from fieldedge.services.auth.sessions import TokenPair, open_session
from fieldedge.services.common import audit, normalise_email, queue_email
from fieldedge.services.deps import Deps


@dataclass(frozen=True, slots=True)
class Register:
    company_name: str
    name: str
    email: str
    password: str
    timezone: str | None = None  # None: the country's (``country_timezone``)
    currency: str = "INR"
    country: str = "IN"
    ip: str | None = None


def email_taken() -> Conflict:
    return Conflict("This email is already registered.", details={"email": ["Already taken."]})


async def register(cmd: Register, deps: Deps) -> TokenPair:
    deps.policy.check(cmd.password)
    email = normalise_email(cmd.email)
    async with deps.db.unit_of_work(Scope.system()) as uow:
        if await uow.users.by_email(email) is not None:
            raise email_taken()
    hashed = await deps.passwords.hash(cmd.password)
    now = deps.clock.now()
    company_id, user_id = deps.ids.new(), deps.ids.new()
    async with deps.db.unit_of_work(Scope.tenant(company_id)) as uow:
        await uow.companies.add(
            Company(
                id=company_id,
                name=cmd.company_name,
                timezone=cmd.timezone or country_timezone(cmd.country),
                currency=cmd.currency,
                country=cmd.country,
                created_at=now,
                updated_at=now,
            )
        )
        user = User(
            id=user_id,
            company_id=company_id,
            email=email,
            name=cmd.name,
            role=Role.ADMIN,
            password_hash=hashed,
            created_at=now,
            updated_at=now,
        )
        await uow.users.add(user)
        tokens = await open_session(uow, deps, user)
        await audit(
            uow,
            deps,
            "auth.registered",
            actor_id=user_id,
            entity="user",
            entity_id=user_id,
            ip=cmd.ip,
        )
        await queue_email(
            uow,
            deps,
            company_id=company_id,
            template="welcome",
            to=[email],
            context={
                "name": cmd.name,
                "company": cmd.company_name,
                "appUrl": deps.settings.app_base_url,
            },
        )
        await uow.commit()
    return tokens
