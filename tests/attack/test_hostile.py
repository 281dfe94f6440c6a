"""Hostile input generated from the route table: every string and number of every JSON
route's valid body (``routes.VALID``) and every query parameter of every list route
(from its ``Operation``'s query model), replaced one at a time. Control characters and
lone surrogates are a 422 naming the field; SQL and script text where free text is
taken is stored inert and read back as sent; invalid UTF-8, 10 MB strings, huge numbers
and deep nesting are 4xx. Never a 500, never company B's data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx

from .routes import VALID, Route, every_route, valid_body
from .test_sweep import Findings, send
from .world import SECRET_B, World

Path = tuple[str | int, ...]
RAW = {"Content-Type": "application/json"}
CONTROLS = {"NUL": "\u0000", "ESC": "\u001b", "backspace": "\u0008", "lone surrogate": "\ud800"}
INERT = {"SQL": "'; DROP TABLE contacts;--", "script": "<script>alert(1)</script>"}
QUERY_VALUES = {
    "NUL": "%00",
    "ESC": "%1B",
    "invalid UTF-8": "%FF%FE",
    "surrogate as UTF-8": "%ED%A0%80",  # not UTF-8: decoded as U+FFFD, so any 2xx/4xx
    "SQL": "%27%20OR%20%271%27%3D%271",
    "script": "%3Cscript%3Ealert(1)%3C/script%3E",
}


def leaves(value: Any, kind: type, path: Path = ()) -> Iterator[Path]:
    """Paths of every leaf of ``kind`` (bools are no numbers) in a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, kind, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, kind, (*path, index))
    elif isinstance(value, kind) and not isinstance(value, bool):
        yield path


def replaced(body: Any, path: Path, value: Any) -> Any:
    if not path:
        return value
    copy = dict(body) if isinstance(body, dict) else list(body)
    copy[path[0]] = replaced(body[path[0]], path[1:], value)  # type: ignore[index]
    return copy


def at(body: Any, path: Path) -> Any:
    for part in path:
        body = body[part]
    return body


def name(path: Path) -> str:
    return ".".join(str(part) for part in path)


def json_routes(world: World) -> list[Route]:
    return [r for r in every_route(world.api.app) if (r.path, r.method) in VALID]


def token(world: World, route: Route) -> str | None:
    return route.token(world) if route.op.auth else None


class Hostile(Findings):
    def sane(self, where: str, response: httpx.Response) -> bool:
        """Never a 500, never company B's row; JSON unless it is an empty answer."""
        if response.status_code >= 500:
            self.append(f"{where}: {response.status_code} {response.text[:200]}")
        elif SECRET_B in response.text:
            self.append(f"{where}: company B's contact in the answer")
        elif response.content and "json" not in response.headers.get("content-type", ""):
            self.append(f"{where}: content type {response.headers.get('content-type')}")
        else:
            return True
        return False

    def refused(self, where: str, response: httpx.Response, field: str) -> None:
        if not self.sane(where, response):
            return
        if response.status_code != 422:
            self.append(f"{where}: {response.status_code} (want 422) {response.text[:200]}")
        elif field not in response.json()["error"].get("details", {}):
            self.append(f"{where}: 422 does not name {field}: {response.text[:200]}")


async def _controls_are_422_naming_the_field(world: World, found: Hostile) -> None:
    count = 0
    for route in json_routes(world):
        body = valid_body(route, world)
        for path in leaves(body, str):
            for what, char in CONTROLS.items():
                attack = replaced(body, path, f"{at(body, path)}{char}x")
                raw = json.dumps(attack).encode()  # ASCII: "\u0000", "\ud800" as JSON escapes
                url, tok = route.url(world), token(world, route)
                response = await send(world, route, url, tok, content=raw, headers=RAW)
                found.refused(
                    f"{route.method} {route.path} {name(path)} [{what}]", response, name(path)
                )
                count += 1
    assert count >= 100


async def _sql_and_script_text_is_stored_inert(world: World, found: Hostile) -> None:
    stored = 0
    reads = {(r.path, r.method) for r in every_route(world.api.app)}
    for route in json_routes(world):
        body = valid_body(route, world)
        for path in leaves(body, str):
            for what, text in INERT.items():
                where = f"{route.method} {route.path} {name(path)} [{what}]"
                url, tok = route.url(world), token(world, route)
                response = await send(world, route, url, tok, json=replaced(body, path, text))
                if not found.sane(where, response) or response.status_code >= 300:
                    continue
                data = response.json().get("data")
                if not isinstance(data, dict) or len(path) != 1 or path[0] not in data:
                    continue
                if data[path[0]] != text:
                    found.append(f"{where}: answered {data[path[0]]!r}")
                    continue
                stored += 1
                own = route.path if route.params else f"{route.path}/{{id}}"
                if (own, "GET") not in reads or "id" not in data:
                    continue
                getter = Route(own, "GET", route.op)
                read = await send(world, getter, getter.url(world, id=data["id"]), tok)
                if found.sane(f"{where} read back", read) and (
                    read.status_code != 200 or read.json()["data"][path[0]] != text
                ):
                    found.append(f"{where}: read back {read.status_code} {read.text[:200]}")
    assert stored >= 6, f"only {stored} free-text fields stored the payloads"
    rows = await world.api.sql("SELECT count(*) FROM contacts WHERE name = :n", n=SECRET_B)
    assert rows == [(1,)], "company B's contact is gone"


def _big_body(body: dict[str, Any], path: Path) -> bytes:
    marker = "\u2603MARK\u2603"
    text = json.dumps(replaced(body, path, marker))
    return text.replace(json.dumps(marker)[1:-1], "x" * (10 << 20)).encode()


async def _invalid_utf8_huge_strings_numbers_and_nesting_are_4xx(
    world: World, found: Hostile
) -> None:
    for route in json_routes(world):
        body, url, tok = valid_body(route, world), route.url(world), token(world, route)
        where = f"{route.method} {route.path}"
        strings = list(leaves(body, str))
        attacks: list[tuple[str, bytes, tuple[int, ...], str | None]] = [
            ("deep nesting", b"[" * 100_000, (400,), None),
        ]
        if strings:
            first = strings[0]
            raw = json.dumps(replaced(body, first, "\u2603")).encode()
            bad = raw.replace(b'"\\u2603"', b'"\xff\xfe\xc3"')
            attacks.append(("invalid UTF-8", bad, (400,), None))
            attacks.append(("10 MB string", _big_body(body, first), (413, 422), None))
        for path in leaves(body, (int, float)):  # type: ignore[arg-type]
            raw = json.dumps(replaced(body, path, 10**400)).encode()
            attacks.append((f"10**400 in {name(path)}", raw, (422,), name(path)))
        for what, raw, statuses, field in attacks:
            response = await send(world, route, url, tok, content=raw, headers=RAW)
            if not found.sane(f"{where} [{what}]", response):
                continue
            if response.status_code not in statuses:
                found.append(f"{where} [{what}]: {response.status_code} {response.text[:200]}")
            elif field and field not in response.json()["error"].get("details", {}):
                found.append(f"{where} [{what}]: 422 does not name {field}")


async def test_every_body_field_of_every_json_route_under_hostile_input(world: World) -> None:
    """One world for the three (the inert text is stored, so it goes last)."""
    found = Hostile()
    await _controls_are_422_naming_the_field(world, found)
    await _invalid_utf8_huge_strings_numbers_and_nesting_are_4xx(world, found)
    await _sql_and_script_text_is_stored_inert(world, found)
    found.done()


async def test_hostile_query_values_in_every_list_parameter(world: World) -> None:
    found, count = Hostile(), 0
    lists = [r for r in every_route(world.api.app) if r.method == "GET" and r.op.query]
    assert len(lists) >= 8
    for route in lists:
        assert route.op.query is not None
        params = list(route.op.query.model_json_schema(by_alias=True)["properties"])
        url, tok = route.url(world), token(world, route)
        for param in params:
            for what, value in QUERY_VALUES.items():
                where = f"GET {route.path}?{param} [{what}]"
                response = await send(world, route, f"{url}?{param}={value}", tok)
                count += 1
                if not found.sane(where, response):
                    continue
                if (
                    what in CONTROLS
                    and (
                        response.status_code != 422
                        or param not in response.json()["error"].get("details", {})
                    )
                ) or response.status_code not in (200, 400, 422):
                    found.append(f"{where}: {response.status_code} {response.text[:200]}")
    assert count >= 200
    found.done()
