"""Read, create, edit and deactivate users, under the role table and the team scope.

A MANAGER reads their own team (and themselves); everything else is ADMIN's. An id
outside the caller's reach is ``NotFound``, the same as one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.identity import Role, User
from fieldedge.errors import Conflict, NotFound, ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.services.auth import revocation
from fieldedge.services.auth.password_reset import issue_reset_token
from fieldedge.services.auth.register import email_taken
from fieldedge.services.common import audit, found, normalise_email, scope_moved
from fieldedge.services.deps import Deps
from fieldedge.services.pagination import Page, after_id, page_by_id

UNSET = object()


@dataclass(frozen=True, slots=True)
class UserFilter:
    role: Role | None = None
    manager_id: UUID | None = None
    active: bool | None = None
    q: str | None = None


@dataclass(frozen=True, slots=True)
class CreateUser:
    name: str
    email: str
    role: Role
    manager_id: UUID | None = None
    password: str | None = None


@dataclass(frozen=True, slots=True)
class UpdateUser:
    """Only the fields a client sent are set; the rest stay ``None``/unsent."""

    name: str | None = None
    role: Role | None = None
    manager_id: UUID | object | None = UNSET
    active: bool | None = None


def _visible(principal: Principal, user: User) -> bool:
    if principal.role is Role.MANAGER:
        return user.id == principal.user_id or user.manager_id == principal.user_id
    return True


async def _check_manager(uow: UnitOfWork, role: Role, manager_id: UUID | None) -> None:
    if manager_id is None:
        return
    if role is not Role.SALES_REP:
        raise ValidationFailed(details={"managerId": ["Only a SALES_REP has a manager."]})
    manager = await uow.users.get(manager_id)
    if manager is None or manager.role is not Role.MANAGER or not manager.active:
        raise ValidationFailed(
            details={"managerId": ["Must be an active MANAGER of this company."]}
        )


async def list_users(
    principal: Principal, filters: UserFilter, cursor: str | None, limit: int, deps: Deps
) -> Page[User]:
    require(principal, Action.USER_LIST)
    manager_id = filters.manager_id
    if principal.role is Role.MANAGER:
        manager_id = principal.user_id  # a manager's list is their team, whatever was asked
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        rows = await uow.users.list(
            after=after_id(cursor),
            limit=limit + 1,
            manager_id=manager_id,
            role=filters.role,
            active=filters.active,
            q=filters.q,
        )
    return page_by_id(rows, limit)


async def get_user(principal: Principal, user_id: UUID, deps: Deps) -> User:
    require(principal, Action.USER_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        user = await uow.users.get(user_id)
    return found(user, "user", visible=user is not None and _visible(principal, user))


async def create_user(principal: Principal, cmd: CreateUser, deps: Deps) -> User:
    require(principal, Action.USER_CREATE)
    if cmd.role is Role.SUPER_ADMIN:
        raise ValidationFailed(details={"role": ["Not a company role."]})
    if cmd.password is not None:
        deps.policy.check(cmd.password)
    email = normalise_email(cmd.email)
    async with deps.db.unit_of_work(Scope.system()) as uow:
        if await uow.users.by_email(email) is not None:
            raise email_taken()
    hashed = await deps.passwords.hash(cmd.password) if cmd.password is not None else None
    now = deps.clock.now()
    company_id = principal.tenant
    async with deps.db.unit_of_work(Scope.tenant(company_id)) as uow:
        await _check_manager(uow, cmd.role, cmd.manager_id)
        user = User(
            id=deps.ids.new(),
            company_id=company_id,
            email=email,
            name=cmd.name,
            role=cmd.role,
            manager_id=cmd.manager_id,
            password_hash=hashed,
            created_at=now,
            updated_at=now,
        )
        await uow.users.add(user)
        if hashed is None:
            await issue_reset_token(uow, deps, user, purpose="invite")
        await audit(
            uow,
            deps,
            "user.created",
            actor=principal,
            entity="user",
            entity_id=user.id,
            detail={"role": cmd.role.value, "invited": hashed is None},
        )
        await uow.commit()
    return user


async def _admins_left(uow: UnitOfWork, excluding: UUID) -> bool:
    admins = await uow.users.list(after=None, limit=2, role=Role.ADMIN, active=True)
    return any(admin.id != excluding for admin in admins)


async def update_user(principal: Principal, user_id: UUID, cmd: UpdateUser, deps: Deps) -> User:
    require(principal, Action.USER_UPDATE)
    now = deps.clock.now()
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        user = found(await uow.users.get(user_id), "user")
        if user.id == principal.user_id and cmd.active is False:
            raise Conflict("You cannot deactivate yourself.")
        before = {"role": user.role.value, "active": user.active}
        role = cmd.role or user.role
        if cmd.role is Role.SUPER_ADMIN:
            raise ValidationFailed(details={"role": ["Not a company role."]})
        manager_id = user.manager_id if cmd.manager_id is UNSET else cmd.manager_id
        if role is not Role.SALES_REP and cmd.manager_id is UNSET:
            manager_id = None  # promoted out of a team
        if role is not user.role or manager_id != user.manager_id:
            # Checked when it changes: a rep whose manager has left can still be edited.
            await _check_manager(uow, role, manager_id)  # type: ignore[arg-type]
        losing_admin = user.role is Role.ADMIN and (role is not Role.ADMIN or cmd.active is False)
        if losing_admin and not await _admins_left(uow, user.id):
            raise Conflict("A company needs at least one active ADMIN.")
        changes: dict[str, object] = {
            "name": cmd.name or user.name,
            "role": role,
            "manager_id": manager_id,
            "updated_at": now,
        }
        ended: list[UUID] = []
        deactivating = cmd.active is False and user.active
        if cmd.active is not None:
            changes["active"] = cmd.active
        if deactivating or role is not user.role:
            # Tokens minted before now are refused: a deactivated user's at once, a
            # changed role's until the session refreshes with the new role.
            changes["sessions_valid_after"] = now
        if deactivating:
            ended = await uow.refresh_tokens.revoke_user(user.id, now)
        before_manager = user.manager_id
        user.apply(changes)
        await uow.users.save(user)
        if user.manager_id != before_manager:
            # Managers' replicas follow the rep: the old team's loses them, the new gains.
            await scope_moved(
                uow, deps, principal.tenant, "user", user.id, before_manager, user.manager_id
            )
        marks = revocation.payload(
            sessions=ended, user_id=user.id if "sessions_valid_after" in changes else None
        )
        if marks["sessions"] or marks["user"]:
            await revocation.queue(uow, deps, marks)
        after = {"role": user.role.value, "active": user.active}
        action = "user.role_changed" if before["role"] != after["role"] else "user.updated"
        if before["active"] != after["active"]:
            action = "user.deactivated" if not user.active else "user.reactivated"
        await audit(
            uow,
            deps,
            action,
            actor=principal,
            entity="user",
            entity_id=user.id,
            detail={"before": before, "after": after},
        )
        await uow.commit()
    if marks["sessions"] or marks["user"]:
        await revocation.publish(deps, marks)
    return user


async def deactivate_user(principal: Principal, user_id: UUID, deps: Deps) -> User:
    if user_id == principal.user_id:
        require(principal, Action.USER_DEACTIVATE)
        raise Conflict("You cannot deactivate yourself.")
    return await update_user(principal, user_id, UpdateUser(active=False), deps)


async def get_own_user(principal: Principal, deps: Deps) -> User:
    scope = Scope.tenant(principal.company_id) if principal.company_id else Scope.system()
    async with deps.db.unit_of_work(scope) as uow:
        user = await uow.users.get(principal.user_id)
    if user is None:
        raise NotFound("No such user.")
    return user
