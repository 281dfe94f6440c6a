"""An attacker's sweep of every route the app declares: each check runs over all
``Resource`` operations, collects every contract violation, and fails listing them all."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx

from fixtures.identity_api import bearer

from .routes import PLATFORM, VALID, Route, every_route, valid_body
from .world import World

NOT_UUID = "not-a-uuid"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# Not base64, not JSON, JSON of the wrong shape, and well-formed cursors of no list.
FORGED_CURSORS = (
    "forged",
    "%00",
    "x" * 600,
    *(
        _b64(raw)
        for raw in (
            b"[]",
            b"{}",
            b'{"id": "x", "k": [1]}',
            b'{"id": [1]}',
            b'{"seq": true}',
            b'{"seq": "1"}',
            b'{"d": "x", "id": null}',
        )
    ),
)


class Findings(list[str]):
    def check(
        self, route: Route, what: str, response: httpx.Response, status: int, code: str | None
    ) -> None:
        """One response against the envelope contract: status, error code, request id."""
        where = f"{route.method} {route.path} [{what}]"
        if response.status_code != status:
            self.append(f"{where}: {response.status_code} (want {status}) {response.text[:200]}")
            return
        if code is None:
            return
        try:
            body = response.json()
        except ValueError:
            self.append(f"{where}: not JSON")
            return
        if body.get("success") is not False or body.get("error", {}).get("code") != code:
            self.append(f"{where}: body {response.text[:200]} (want {code})")
        elif response.headers.get("x-request-id") != body["meta"]["requestId"]:
            self.append(f"{where}: X-Request-ID differs from meta.requestId")

    def done(self) -> None:
        assert not self, f"{len(self)} violations:\n" + "\n".join(self)


def authed(world: World) -> list[Route]:
    return [r for r in every_route(world.api.app) if r.op.auth]


async def send(
    world: World, route: Route, url: str, token: str | None, **kw: Any
) -> httpx.Response:
    headers = kw.pop("headers", {}) | (bearer(token) if token else {})
    return await world.api.client.request(route.method, url, headers=headers, **kw)


async def test_every_authenticated_route_wants_a_token(world: World) -> None:
    found = Findings()
    for route in authed(world):
        response = await send(world, route, route.url(world), None, **route.request(world))
        found.check(route, "no token", response, 401, "AUTH_REQUIRED")
    found.done()


async def test_another_company_sees_nothing_and_writes_nothing(world: World) -> None:
    found, before, families = Findings(), await world.snapshot(), set[str]()
    for route in authed(world):
        if not route.params or route.path.startswith(PLATFORM):
            continue
        families.add(route.path.split("/")[3])
        response = await send(
            world, route, route.url(world), world.tokens["admin_b"], **route.request(world)
        )
        found.check(route, "other tenant", response, 404, "NOT_FOUND")
    assert await world.snapshot() == before, "a request of company B changed company A"
    assert families >= {"users", "contacts", "products", "visits", "orders", "payments"}
    found.done()


def _names_rows(value: Any) -> bool:
    """A body naming one of company A's rows (a ``{placeholder}`` other than a fresh id)."""
    if isinstance(value, str):
        return value.startswith("{") and value.endswith("}") and value != "{fresh}"
    if isinstance(value, list):
        return any(map(_names_rows, value))
    if isinstance(value, dict):
        return any(map(_names_rows, value.values()))
    return False


# What naming another company's row in a body gets, where it is not 422 on the field.
BODY_REFUSAL = {("/api/v1/payments", "POST"): (404, "NOT_FOUND")}  # docs/api.md item 25


async def test_another_companys_ids_in_a_body_are_refused_and_write_nothing(
    world: World,
) -> None:
    """Company B's callers send company A's ids inside bodies (an order for A's contact,
    a plan of A's beat, a sync edit of A's contact): each is refused as naming no row,
    and neither company gains or loses a thing (a push keeps only B's device record)."""
    me = await world.api.me(world.tokens["admin_b"])
    company_b = me.json()["data"]["user"]["companyId"]
    routes = [
        r for r in authed(world)
        if not r.params and not r.path.startswith(PLATFORM)
        and _names_rows(VALID.get((r.path, r.method)))
    ]  # fmt: skip
    routes.sort(key=lambda r: r.path.endswith("/sync/push"))  # the push writes its record
    found, before = Findings(), (await world.snapshot(), await world.snapshot(company_b))
    for route in routes:
        if route.path.endswith("/sync/push"):
            assert await world.snapshot(company_b) == before[1], "company B gained rows"
        token = world.tokens["rep_b" if route.token(world) == world.tokens["rep_a"] else "admin_b"]
        response = await send(world, route, route.url(world), token, json=valid_body(route, world))
        if route.path.endswith("/sync/push"):  # a push answers 200, each mutation apart
            results = response.json()["data"]["results"] if response.status_code == 200 else []
            if [r["status"] for r in results] != ["rejected"]:
                found.append(f"{route.method} {route.path}: {response.text[:200]}")
            continue
        status, code = BODY_REFUSAL.get((route.path, route.method), (422, "VALIDATION_ERROR"))
        found.check(route, "another company's ids", response, status, code)
    assert await world.snapshot() == before[0], "a body naming company A's rows changed A"
    tried = {f"{r.method} {r.path}" for r in routes}
    assert {"POST /api/v1/orders", "POST /api/v1/payments", "POST /api/v1/sync/push"} <= tried
    found.done()


async def test_a_missing_or_malformed_path_id_is_404(world: World) -> None:
    found = Findings()
    for route in authed(world):
        if route.path.startswith(PLATFORM):
            continue
        for param in route.params:
            for bad in (str(uuid.uuid4()), NOT_UUID):
                url = route.url(world, **{param: bad})
                response = await send(world, route, url, route.token(world), **route.request(world))
                found.check(route, f"{param}={bad}", response, 404, "NOT_FOUND")
    found.done()


async def test_json_bodies_are_parsed_strictly(world: World) -> None:
    found = Findings()
    routes = [r for r in every_route(world.api.app) if r.op.body is not None]
    for route in routes:
        if route.path.startswith(PLATFORM):
            continue
        url, token = route.url(world), route.token(world) if route.op.auth else None
        raw = {"Content-Type": "application/json"}
        attacks: list[tuple[str, dict[str, Any], int, str]] = [
            ("malformed", {"content": b'{"a":', "headers": raw}, 400, "MALFORMED_REQUEST"),
            ("array", {"content": b"[]", "headers": raw}, 400, "MALFORMED_REQUEST"),
            ("scalar", {"content": b'"x"', "headers": raw}, 400, "MALFORMED_REQUEST"),
            (
                "text/plain",
                {
                    "content": json.dumps(valid_body(route, world)),
                    "headers": {"Content-Type": "text/plain"},
                },
                415,
                "UNSUPPORTED_MEDIA_TYPE",
            ),
            (
                "unknown field",
                {"json": valid_body(route, world) | {"zzUnknown": 1}},
                422,
                "VALIDATION_ERROR",
            ),
            (
                "over 1 MiB",
                {"content": json.dumps({"name": "x" * (1 << 20)}), "headers": raw},
                413,
                "PAYLOAD_TOO_LARGE",
            ),
        ]
        for what, kw, status, code in attacks:
            response = await send(world, route, url, token, **kw)
            found.check(route, what, response, status, code)
            named = response.status_code != 422 or "zzUnknown" in response.json()["error"].get(
                "details", {}
            )
            if what == "unknown field" and not named:
                found.append(f"{route.method} {route.path}: 422 does not name zzUnknown")
    found.done()


async def test_list_query_parameters_are_checked(world: World) -> None:
    found = Findings()
    lists = [r for r in authed(world) if r.method == "GET" and r.op.many]
    assert lists, "no list routes found"
    for route in lists:
        if route.path.startswith(PLATFORM):
            continue
        url, token = route.url(world), route.token(world)
        ok = await send(world, route, url, token)
        found.check(route, "plain list", ok, 200, None)
        bad: list[dict[str, str]] = [{"zzUnknown": "1"}, {"limit": "0"}, {"limit": "101"}]
        bad += [{"limit": "abc"}, {"limit": "-1"}] + [{"cursor": c} for c in FORGED_CURSORS]
        for params in bad:
            response = await send(world, route, url, token, params=params)
            found.check(route, str(params), response, 422, "VALIDATION_ERROR")
    found.done()
