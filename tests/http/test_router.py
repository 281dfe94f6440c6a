"""The indexed router hands every request to the route Starlette's own walk would choose."""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Scope

from fieldedge.http.router import IndexedRouter

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
SAMPLE_ID = "01935f3e-7c1a-7d2b-8e4f-0a1b2c3d4e5f"


def walk(routes: list[BaseRoute], scope: Scope) -> BaseRoute | None:
    """Starlette's choice: the first full match, else the first partial one."""
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route
        if match is Match.PARTIAL and partial is None:
            partial = route
    return partial


def scope_for(method: str, path: str) -> Scope:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}


def sample_paths(routes: list[BaseRoute]) -> list[str]:
    """Each route's template with its parameters filled in, plus paths no route serves."""
    paths = ["/", "/api", "/api/v1", "/api/v1/nothing-here", "/api/v1/contacts/"]
    for route in routes:
        if isinstance(route, Route):
            paths.append(re.sub(r"\{[^}]+\}", SAMPLE_ID, route.path))
            paths.append(re.sub(r"\{[^}]+\}", "near", route.path))  # a literal sibling
    paths += ["/app/", "/app/index.html", "/api/docs"]
    return paths


def test_every_path_and_method_goes_where_starlettes_walk_sends_it(
    fake_app: Callable[..., Starlette],
) -> None:
    router = fake_app().router
    assert isinstance(router, IndexedRouter)
    chosen_here = 0
    for path in sample_paths(router.routes):
        for method in METHODS:
            scope = scope_for(method, path)
            chosen = router.choose(scope)
            # None leaves the request to Starlette's own walk: the same choice by definition.
            if chosen is not None:
                assert chosen[0] is walk(router.routes, scope), (method, path)
                chosen_here += 1
    assert chosen_here > 500


def test_each_api_route_is_found_without_the_full_walk(fake_app: Callable[..., Starlette]) -> None:
    router = fake_app().router
    assert isinstance(router, IndexedRouter)
    for route in router.routes:
        if isinstance(route, Route) and route.path.startswith("/api/v1/"):
            path = re.sub(r"\{[^}]+\}", SAMPLE_ID, route.path)
            for method in route.methods or ():
                chosen = router.choose(scope_for(method, path))
                assert chosen is not None, (method, route.path)
