"""Seed the demo company through the same use cases the API runs, so the demo data obeys
every rule. Idempotent: a second run finds the demo admin and only reports the logins."""

from __future__ import annotations

from dataclasses import dataclass

from fieldedge.domain.access import Principal
from fieldedge.domain.identity import Role
from fieldedge.ports.database import Scope
from fieldedge.services.auth.register import Register, register
from fieldedge.services.demo.expenses import seed_expenses
from fieldedge.services.demo.fieldforce import seed_fieldforce
from fieldedge.services.demo.schedules import seed_schedules
from fieldedge.services.deps import Deps
from fieldedge.services.users.manage import CreateUser, create_user

PASSWORD = "fieldedge-demo-2026"  # noqa: S105 - printed for developers; demo data only
DOMAIN = "demo.fieldedge.dev"
COMPANY = "Sahyadri Pharma Distributors"
MANAGERS = ("Priya Nair", "Arjun Mehta")
REPS = (
    ("Rahul Sharma", 0),
    ("Sneha Patil", 0),
    ("Vikram Rao", 0),
    ("Ananya Iyer", 1),
    ("Karan Desai", 1),
    ("Meera Kulkarni", 1),
)


@dataclass(frozen=True, slots=True)
class Login:
    role: Role
    name: str
    email: str


def _email(name: str) -> str:
    return f"{name.split()[0].lower()}@{DOMAIN}"


def logins() -> list[Login]:
    people = [Login(Role.ADMIN, "Asha Joshi", f"admin@{DOMAIN}")]
    people += [Login(Role.MANAGER, name, _email(name)) for name in MANAGERS]
    people += [Login(Role.SALES_REP, name, _email(name)) for name, _ in REPS]
    return people


async def seed_demo(deps: Deps) -> tuple[bool, list[Login]]:
    """``(created, logins)``; every login uses ``PASSWORD``."""
    people = logins()
    admin_login = people[0]
    async with deps.db.unit_of_work(Scope.system()) as uow:
        if await uow.users.by_email(admin_login.email) is not None:
            return False, people
    await register(
        Register(
            company_name=COMPANY,
            name=admin_login.name,
            email=admin_login.email,
            password=PASSWORD,
            timezone="Asia/Kolkata",
            currency="INR",
            country="IN",
        ),
        deps,
    )
    async with deps.db.unit_of_work(Scope.system()) as uow:
        admin = await uow.users.by_email(admin_login.email)
    if admin is None or admin.company_id is None:
        raise RuntimeError("the demo admin vanished right after registering")
    principal = Principal(user_id=admin.id, company_id=admin.company_id, role=Role.ADMIN)
    managers = [
        await create_user(
            principal, CreateUser(name, _email(name), Role.MANAGER, password=PASSWORD), deps
        )
        for name in MANAGERS
    ]
    reps = [
        await create_user(
            principal,
            CreateUser(
                name, _email(name), Role.SALES_REP, manager_id=managers[team].id, password=PASSWORD
            ),
            deps,
        )
        for name, team in REPS
    ]
    await seed_fieldforce(deps, principal, managers, reps)
    await seed_expenses(deps, principal, managers, reps)
    await seed_schedules(deps, principal)  # none until the company has equipment
    return True, people
