"""Seed the demo companies through the same use cases the API runs, so the demo data obeys
every rule: the pharma distributor (field sales) and Northwind Service (field service,
``demo.service``). Idempotent: a second run finds each demo admin and only reports the
logins."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from fieldedge.domain.access import Principal
from fieldedge.domain.identity import Role, User
from fieldedge.ports.database import Scope
from fieldedge.services.auth.register import Register, register
from fieldedge.services.demo import service
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
    company: str = COMPANY


def _email(name: str) -> str:
    return f"{name.split()[0].lower()}@{DOMAIN}"


def logins() -> list[Login]:
    people = [Login(Role.ADMIN, "Asha Joshi", f"admin@{DOMAIN}")]
    people += [Login(Role.MANAGER, name, _email(name)) for name in MANAGERS]
    people += [Login(Role.SALES_REP, name, _email(name)) for name, _ in REPS]
    return people


def service_logins() -> list[Login]:
    """Northwind Service's people: an ADMIN, a dispatcher (MANAGER), four technicians."""
    firm = service.COMPANY
    people = [Login(Role.ADMIN, service.ADMIN, f"admin@{service.DOMAIN}", firm)]
    people.append(Login(Role.MANAGER, service.MANAGER, service.email(service.MANAGER), firm))
    people += [Login(Role.SALES_REP, n, service.email(n), firm) for n in service.TECHNICIANS]
    return people


async def _register(deps: Deps, company: str, admin_login: Login) -> Principal | None:
    """The new company's ADMIN, or None when it was seeded before."""
    async with deps.db.unit_of_work(Scope.system()) as uow:
        if await uow.users.by_email(admin_login.email) is not None:
            return None
    settings = {"timezone": "Asia/Kolkata", "currency": "INR", "country": "IN"}
    await register(
        Register(company_name=company, name=admin_login.name, email=admin_login.email,
                 password=PASSWORD, **settings),
        deps,
    )  # fmt: skip
    async with deps.db.unit_of_work(Scope.system()) as uow:
        admin = await uow.users.by_email(admin_login.email)
    if admin is None or admin.company_id is None:
        raise RuntimeError("the demo admin vanished right after registering")
    return Principal(user_id=admin.id, company_id=admin.company_id, role=Role.ADMIN)


async def seed_demo(deps: Deps) -> tuple[bool, list[Login]]:
    """``(created, logins)`` of both companies; every login uses ``PASSWORD``."""
    people, crew = logins(), service_logins()
    made_service = await _seed_service(deps, crew)
    principal = await _register(deps, COMPANY, people[0])
    if principal is None:
        return made_service, people + crew
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
    return True, people + crew


async def _seed_service(deps: Deps, crew: list[Login]) -> bool:
    principal = await _register(deps, service.COMPANY, crew[0])
    if principal is None:
        return False

    async def person(login: Login, manager_id: UUID | None = None) -> User:
        cmd = CreateUser(login.name, login.email, login.role, manager_id=manager_id,
                         password=PASSWORD)  # fmt: skip
        return await create_user(principal, cmd, deps)

    dispatcher = await person(crew[1])
    techs = [await person(login, dispatcher.id) for login in crew[2:]]
    await service.seed_service(deps, principal, dispatcher, techs)
    await seed_schedules(deps, principal)
    return True
