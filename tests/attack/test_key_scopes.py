"""Scopes x routes, generated from the route table: an API key on every authenticated
route answers as ``access.KEY_SCOPE`` says for the route's action (``roles.EXPECT``).

- A key holding every scope is 403 wherever the action maps to no scope (identity,
  users, the company, audit, sync, field days, key management) and is served as the
  company's ADMIN elsewhere (403 only where a row refuses an ADMIN too: a rep's own
  visit, day or claim).
- A key holding one scope (``reports:read``) is 403 naming a scope of the family each
  other scoped route needs (the first it lacks).
- Company B's key finds none of company A's ids (404).
"""

from __future__ import annotations

from fieldedge.domain.access import KEY_SCOPE, SCOPES, grants
from fieldedge.domain.identity import Role
from fixtures.identity_api import bearer

from .roles import EXPECT
from .routes import Route, every_route
from .test_sweep import Findings, send
from .world import World

NARROW = "reports:read"  # the one scope of the narrow key: the team reports and /reports/*


def needed(route: Route) -> str | None:
    action = EXPECT[(route.path, route.method)].action
    return KEY_SCOPE.get(action) if action is not None else None


async def _key(world: World, admin: str, *scopes: str) -> str:
    response = await world.api.client.post(
        "/api/v1/api-keys",
        json={"name": "Scopes sweep", "scopes": list(scopes)},
        headers=bearer(world.tokens[admin]),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["secret"])


async def test_every_route_answers_a_key_as_its_scope_says(world: World) -> None:
    found = Findings()
    routes = [r for r in every_route(world.api.app) if r.op.auth]
    narrow = await _key(world, "admin_a", NARROW)
    rival = await _key(world, "admin_b", *sorted(SCOPES))
    for route in routes:
        scope = needed(route)
        response = await send(world, route, route.url(world), narrow, **route.request(world))
        if scope is None:
            found.check(route, "a key with one other scope", response, 403, "FORBIDDEN")
        elif grants(frozenset({NARROW}), scope):
            pass  # the scope it holds: served as the every-scope key below shows
        elif response.status_code != 403 or scope.split(":")[0] + ":" not in response.text:
            # The first scope it lacks (a PATCH of an order reads it first: orders:read).
            found.append(f"{route.method} {route.path}: {response.status_code}, not 403 {scope}")
        if route.params and scope is not None:
            response = await send(world, route, route.url(world), rival, **route.request(world))
            found.check(route, "company B's key", response, 404, "NOT_FOUND")
    for route in routes:  # last: these calls change company A's rows
        rule = EXPECT[(route.path, route.method)]
        response = await send(
            world, route, route.url(world), world.tokens["key_a"], **route.request(world)
        )
        where = f"every-scope key {route.method} {route.path}"
        if response.status_code >= 500:
            found.append(f"{where}: {response.status_code} {response.text[:200]}")
        elif needed(route) is None or Role.ADMIN not in rule.allowed:
            found.check(route, "every-scope key", response, 403, "FORBIDDEN")
        elif response.status_code in (401, 403):
            found.append(f"{where}: {response.status_code} (allowed) {response.text[:200]}")
    found.done()
