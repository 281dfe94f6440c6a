"""A session is a refresh-token family plus short-lived access tokens minted from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from fieldedge.domain.identity import RefreshToken, User
from fieldedge.ports.database import UnitOfWork
from fieldedge.services.deps import Deps
from fieldedge.services.security.tokens import new_refresh_token, token_hash


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret


async def open_session(
    uow: UnitOfWork, deps: Deps, user: User, *, family_id: UUID | None = None
) -> TokenPair:
    """Store a new refresh token (of a new family, or rotating within ``family_id``) and
    mint an access token for ``user`` in that session."""
    now = deps.clock.now()
    refresh = new_refresh_token()
    family = family_id or deps.ids.new()
    await uow.refresh_tokens.add(
        RefreshToken(
            id=deps.ids.new(),
            company_id=user.company_id,
            user_id=user.id,
            family_id=family,
            token_hash=token_hash(refresh),
            issued_at=now,
            expires_at=now + timedelta(days=deps.settings.refresh_token_ttl_days),
        )
    )
    access = deps.tokens.issue(
        user_id=user.id, company_id=user.company_id, role=user.role, session_id=family, now=now
    )
    return TokenPair(access_token=access.token, refresh_token=refresh, expires_in=access.expires_in)
