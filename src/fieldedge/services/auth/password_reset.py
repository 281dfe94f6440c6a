"""Password reset: request (always accepted; mails a single-use token valid 1 h) and
confirm (sets the password and revokes every session of the user).

Invites use the same flow: a user created without a password gets a longer-lived token
and sets their first password through ``reset_password``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from fieldedge.domain.identity import PasswordResetToken, User
from fieldedge.errors import ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.services.auth import revocation
from fieldedge.services.common import audit, normalise_email, queue_email
from fieldedge.services.deps import Deps
from fieldedge.services.security.tokens import token_hash

INVITE_TTL = timedelta(days=3)


@dataclass(frozen=True, slots=True)
class ResetPassword:
    token: str
    new_password: str
    ip: str | None = None


async def issue_reset_token(
    uow: UnitOfWork, deps: Deps, user: User, *, purpose: str = "reset"
) -> str:
    """Supersede the user's older tokens, store a new one hashed, mail the link."""
    now = deps.clock.now()
    token = secrets.token_urlsafe(32)
    ttl = INVITE_TTL if purpose == "invite" else timedelta(seconds=deps.settings.reset_token_ttl_s)
    await uow.reset_tokens.invalidate_user(user.id, now)
    await uow.reset_tokens.add(
        PasswordResetToken(
            id=deps.ids.new(),
            company_id=user.company_id,
            user_id=user.id,
            token_hash=token_hash(token),
            purpose=purpose,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    link = f"{deps.settings.app_base_url.rstrip('/')}/reset-password?{urlencode({'token': token})}"
    await queue_email(
        uow,
        deps,
        company_id=user.company_id,
        template="invite" if purpose == "invite" else "password_reset",
        to=[user.email],
        context={
            "name": user.name,
            "link": link,
            "expiresInMinutes": int(ttl.total_seconds() // 60),
        },
    )
    return token


async def request_password_reset(email: str, deps: Deps, *, ip: str | None = None) -> None:
    """Says nothing about whether the email exists: the caller always answers 202."""
    async with deps.db.unit_of_work(Scope.system()) as uow:
        user = await uow.users.by_email(normalise_email(email))
    if user is None or not user.active or user.deleted_at is not None:
        return
    scope = Scope.tenant(user.company_id) if user.company_id else Scope.system()
    async with deps.db.unit_of_work(scope) as uow:
        await issue_reset_token(uow, deps, user)
        await audit(
            uow,
            deps,
            "auth.password_reset_requested",
            actor_id=user.id,
            entity="user",
            entity_id=user.id,
            ip=ip,
        )
        await uow.commit()


def _invalid() -> ValidationFailed:
    return ValidationFailed(
        "This reset link is invalid or has expired; ask for a new one.",
        details={"token": ["Invalid or expired."]},
    )


async def reset_password(cmd: ResetPassword, deps: Deps) -> None:
    deps.policy.check(cmd.new_password, "newPassword")
    now = deps.clock.now()
    async with deps.db.unit_of_work(Scope.system()) as uow:
        token = await uow.reset_tokens.by_hash(token_hash(cmd.token))
    if token is None or token.used_at is not None or token.expires_at <= now:
        raise _invalid()
    hashed = await deps.passwords.hash(cmd.new_password)
    scope = Scope.tenant(token.company_id) if token.company_id else Scope.system()
    async with deps.db.unit_of_work(scope) as uow:
        user = await uow.users.get(token.user_id)
        if user is None or not user.active or user.deleted_at is not None:
            raise _invalid()
        if not await uow.reset_tokens.mark_used(token.id, now):
            raise _invalid()
        user.apply({"password_hash": hashed, "sessions_valid_after": now, "updated_at": now})
        await uow.users.save(user)
        ended = await uow.refresh_tokens.revoke_user(user.id, now)
        marks = revocation.payload(sessions=ended, user_id=user.id)
        await revocation.queue(uow, deps, marks)
        await audit(
            uow,
            deps,
            "auth.password_reset",
            actor_id=user.id,
            entity="user",
            entity_id=user.id,
            ip=cmd.ip,
            detail={"purpose": token.purpose},
        )
        await uow.commit()
    await revocation.publish(deps, marks)
