"""Role x route, generated from the route table: every (path, method) called with a
token of each role of company A answers as ``roles.EXPECT`` says (403 or not, never a
500), and every ``{id}`` route called by each role of company B with company A's ids is
404 (403 where the role may not use the route at all), showing and writing nothing."""

from __future__ import annotations

from pathlib import Path

from fieldedge.domain.access import PERMISSIONS
from fieldedge.domain.identity import Role
from fieldedge.http import create_app
from fixtures.app import make_deps

from .roles import DOCUMENTED, EXPECT, ROLES
from .routes import Route, every_route
from .test_sweep import Findings, send
from .world import World

TOKEN = {Role.SALES_REP: "rep", Role.MANAGER: "manager", Role.ADMIN: "admin"}


def token(world: World, role: Role, company: str = "a") -> str:
    return world.tokens["root" if role is Role.SUPER_ADMIN else f"{TOKEN[role]}_{company}"]


def _last_the_session_enders(route: Route) -> bool:
    """Logout and change-password run after the rest, so a role's token lasts its sweep."""
    return route.path.startswith("/api/v1/auth/") and route.method == "POST"


def test_the_expectation_table_names_every_route_and_only_those(tmp_path: Path) -> None:
    routes = {(r.path, r.method) for r in every_route(create_app(make_deps(tmp_path, None)))}
    assert sorted(routes - set(EXPECT)) == [], "routes without a role expectation"
    assert sorted(set(EXPECT) - routes) == [], "expectations of routes that are gone"


def test_the_table_is_the_documented_role_table() -> None:
    assert {action: PERMISSIONS[action] for action in DOCUMENTED} == DOCUMENTED


async def _each_role_of_the_company_gets_what_the_table_says(world: World, found: Findings) -> None:
    seen = set[tuple[str, str]]()
    routes = sorted(every_route(world.api.app), key=_last_the_session_enders)
    for role in ROLES:  # SUPER_ADMIN last: suspending company A is one of its calls
        for route in routes:
            rule = EXPECT[(route.path, route.method)]
            response = await send(
                world, route, route.url(world), token(world, role), **route.request(world)
            )
            seen.add((route.path, route.method))
            where = f"{role.value} {route.method} {route.path}"
            if response.status_code >= 500:
                found.append(f"{where}: {response.status_code} {response.text[:200]}")
            elif role in rule.allowed and (
                response.status_code == 403 or (route.op.auth and response.status_code == 401)
            ):
                found.append(f"{where}: {response.status_code} (allowed) {response.text[:200]}")
            elif role not in rule.allowed:
                found.check(route, role.value, response, 403, "FORBIDDEN")
    assert seen == set(EXPECT)


async def _each_role_of_another_company_finds_no_id_of_this_one(
    world: World, found: Findings
) -> None:
    before = await world.snapshot()
    a_ids = {v for k, v in world.ids.items() if k != "contact_b"} | {world.company_a}
    routes = [r for r in every_route(world.api.app) if r.op.auth and r.params]
    assert len(routes) >= 15
    for role in (Role.SALES_REP, Role.MANAGER, Role.ADMIN):
        for route in routes:
            rule = EXPECT[(route.path, route.method)]
            url = route.url(world)
            response = await send(
                world, route, url, token(world, role, "b"), **route.request(world)
            )
            want = (404, "NOT_FOUND") if role in rule.permitted else (403, "FORBIDDEN")
            found.check(route, f"company B's {role.value}", response, *want)
            shown = {i for i in a_ids if i in response.text and i not in url}
            if shown or "Mehta" in response.text:
                found.append(f"{role.value} {route.method} {route.path}: shows {shown}")
    assert await world.snapshot() == before, "a request of company B changed company A"


async def test_every_role_of_both_companies_on_every_route(world: World) -> None:
    """One world: company B's probes first, as company A's own calls then change it
    (an ADMIN deactivates the rep, the SUPER_ADMIN suspends the company)."""
    found = Findings()
    await _each_role_of_another_company_finds_no_id_of_this_one(world, found)
    await _each_role_of_the_company_gets_what_the_table_says(world, found)
    found.done()
