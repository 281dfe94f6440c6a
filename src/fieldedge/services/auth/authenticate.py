"""Turn a bearer token into a ``Principal``, checking the user and company as they are
now, so a deactivated user, a revoked session or a suspended company stops at once."""

from __future__ import annotations

from fieldedge.domain.access import Principal
from fieldedge.domain.company import CompanyStatus
from fieldedge.errors import Forbidden, InvalidToken
from fieldedge.ports.database import Scope
from fieldedge.services.deps import Deps


async def authenticate(token: str, deps: Deps, *, ip: str | None = None) -> Principal:
    claims = deps.tokens.verify(token, now=deps.clock.now())
    scope = Scope.tenant(claims.company_id) if claims.company_id else Scope.system()
    async with deps.db.unit_of_work(scope) as uow:
        user = await uow.users.get(claims.user_id)
        company = await uow.companies.get(claims.company_id) if claims.company_id else None
    if user is None or not user.active or user.deleted_at is not None:
        raise InvalidToken("This account is not active.")
    if user.company_id != claims.company_id:
        raise InvalidToken()
    valid_after = user.sessions_valid_after
    # Whole seconds, as in ``iat``: a token minted in the same second as the revocation
    # (the caller's own new session) stays valid.
    if valid_after is not None and claims.issued_at < int(valid_after.timestamp()):
        raise InvalidToken("This session was ended; sign in again.")
    if claims.company_id is not None and (
        company is None or company.status is not CompanyStatus.ACTIVE
    ):
        raise Forbidden("This company's account is suspended.")
    # The role as it is now: a demotion takes effect before the token expires.
    return Principal(user_id=user.id, company_id=user.company_id, role=user.role, ip=ip)
