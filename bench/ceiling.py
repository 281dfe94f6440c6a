"""The ceiling: bare Starlette + asyncpg + orjson doing each scenario's work and nothing
else — the same JWT verification (python-jose, same secret and algorithm), the very
statements fieldedge ran for that request (captured by ``bench/capture.py``, replayed
with this request's claims, body fields, fresh ids and clock) in the same transaction,
and the same JSON shape out. No envelope code, validation, unit of work or SQLAlchemy.

Env: ``DATABASE_URL`` (plain ``postgresql://``), ``JWT_SECRET``, ``BENCH_STATEMENTS``
(the capture's JSON). ``GET /bench/kinds`` answers the statement kinds each scenario
last ran, so the bench can check them against fieldedge's.
"""

from __future__ import annotations

import base64
import decimal
import os
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from jose import jwk, jws
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench import plan_ceiling, report_ceiling

STATE: dict[str, Any] = {}
_INDEX = re.compile(r"(\w+)\[(\d+)\]")


def _claims(request: Request) -> dict[str, Any]:
    token = request.headers["authorization"].removeprefix("Bearer ")
    claims: dict[str, Any] = orjson.loads(jws.verify(token, STATE["key"], algorithms=["HS256"]))
    return claims


def _lookup(body: Any, path: str) -> Any:
    value = body
    for part in path.split("."):
        match = _INDEX.fullmatch(part)
        value = value[match[1]][int(match[2])] if match else value[part]
    return value


class Values:
    """The request's values by role, as ``bench/capture.py`` named them."""

    def __init__(self, claims: dict[str, Any], body: Any, request: Request) -> None:
        self.claims, self.body, self.request = claims, body, request
        self.now = datetime.now(UTC)
        self.fresh: dict[int, uuid.UUID] = {}
        self.response = b""

    def named(self, name: str) -> Any:
        if name in ("cid", "sub"):
            return self.claims[name]
        if name.startswith("body:"):
            return _lookup(self.body, name[5:])
        if name.startswith("header:"):
            return self.request.headers[name[7:]]
        raise KeyError(name)

    def arg(self, spec: dict[str, Any]) -> Any:
        role = spec["role"]
        if role == "list":
            return [self.arg(item) for item in spec["items"]]
        if role == "uuid":
            return uuid.uuid4()
        if role == "now":
            return self.now if spec["tz"] else self.now.replace(tzinfo=None)
        if role == "today":
            return date.today()
        if role == "const":
            if spec["type"] == "decimal":
                return decimal.Decimal(spec["value"])
            if spec["type"] == "bytes":
                return self.response or base64.b64decode(spec["value"])
            return spec["value"]
        value = self.named(role)
        return uuid.UUID(value) if isinstance(value, str) and _is_uuid(value) else value

    def fill(self, template: Any) -> Any:
        if isinstance(template, dict):
            if set(template) == {"$"}:
                return self.named(template["$"])
            return {k: self.fill(v) for k, v in template.items()}
        if isinstance(template, list):
            return [self.fill(v) for v in template]
        return template


def _is_uuid(value: str) -> bool:
    return len(value) == 36 and value.count("-") == 4


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _rows_as(template: list[Any], records: list[asyncpg.Record]) -> list[dict[str, Any]]:
    """A list response from the rows, keyed and ordered as fieldedge's items."""
    keys = list(template[0]) if template else []
    limit = len(template)
    out = []
    for record in records[:limit]:
        row = {_camel(k): v for k, v in record.items()}
        out.append({k: row.get(k) for k in keys})
    return out


async def replay(request: Request) -> Response:
    key = (request.method, request.url.path, "idempotency-key" in request.headers)
    scenario = STATE["by_route"][key]
    claims = _claims(request)
    raw = await request.body()
    values = Values(claims, orjson.loads(raw) if raw else None, request)
    template = scenario["response"]
    is_list = isinstance(template.get("data"), list)
    body: dict[str, Any] = values.fill({k: v for k, v in template.items() if k != "meta"})
    body["meta"] = {"requestId": uuid.uuid4().hex, "timestamp": values.now.isoformat()}
    if not is_list and isinstance(body.get("data"), dict):
        body["data"]["id"] = str(uuid.uuid4())
    values.response = orjson.dumps(body)
    kinds = []
    async with STATE["pool"].acquire() as conn:
        for statement in scenario["statements"]:
            if statement.get("record"):  # the record and the COMMIT, one round trip
                await conn.execute(_record_with_commit(values, claims, request))
                kinds.append(statement["kind"])
                continue
            sql = statement["sql"].replace("{cid}", str(uuid.UUID(claims["cid"])))
            args = [values.arg(a) for a in statement["args"]]
            records = await conn.fetch(sql, *args) if args else []
            if not args:
                await conn.execute(sql)  # simple protocol, as fieldedge sends these
            kinds.append(statement["kind"])
            if is_list and records:
                body["data"] = _rows_as(template["data"], records)
    for name in scenario["names"]:
        STATE["kinds"][name] = kinds
    out = orjson.dumps(body, default=str) if is_list else values.response
    return Response(out, scenario["status"], media_type="application/json")


def _record_with_commit(values: Values, claims: dict[str, Any], request: Request) -> str:
    """This request's idempotency record and the COMMIT, as the one text fieldedge sends
    (the same statement builder: the literal values are part of the work)."""
    from fieldedge.domain.idempotency import IdempotencyRecord, fingerprint
    from fieldedge_adapters.sql.idempotency import committing_sql

    record = IdempotencyRecord(
        id=uuid.uuid4(),
        company_id=claims["cid"],
        user_id=claims["sub"],
        key=request.headers["idempotency-key"],
        fingerprint=fingerprint(request.method, request.url.path, b""),
        response_status=201,
        response_headers={"content-type": "application/json"},
        response_body=values.response,
        created_at=values.now,
        expires_at=values.now + timedelta(hours=24),
    )
    return f"{committing_sql(record)};\nCOMMIT"


async def _reset(connection: asyncpg.Connection) -> None:
    """fieldedge's pool reset (``fieldedge_adapters.sql.pg``): only an open transaction
    is undone, instead of asyncpg's four-statement reset query."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


async def login(request: Request) -> Response:
    """The login's floor: fieldedge's ``PasswordHasher`` at the server's Argon2 parameters
    and concurrency (``Settings`` read from the same env), verifying the password against
    its hash; nothing else. The issue's goal: a login within 1.25x of this."""
    body = orjson.loads(await request.body())
    hasher = STATE["hasher"]
    if "hash" not in STATE:  # the bench's first, unmeasured request
        STATE["hash"] = await hasher.hash(body["password"])
    if not await hasher.verify(body["password"], STATE["hash"]):
        return Response(b'{"success":false}', 401, media_type="application/json")
    STATE["kinds"]["login"] = "argon2 verify only"
    return Response(b'{"success":true}', media_type="application/json")


async def plans_today(request: Request) -> Response:
    return await plan_ceiling.plans_today(request, STATE, _claims(request))


async def plans_compliance(request: Request) -> Response:
    return await plan_ceiling.compliance(request, STATE, _claims(request))


async def reports_orders(request: Request) -> Response:
    return await report_ceiling.orders(request, STATE, _claims(request))


async def health(request: Request) -> Response:
    body = {**STATE["health"], "meta": {"requestId": uuid.uuid4().hex, "timestamp": "now"}}
    body["meta"]["timestamp"] = datetime.now(UTC).isoformat()
    return Response(orjson.dumps(body), media_type="application/json")


async def kinds(request: Request) -> Response:
    return Response(orjson.dumps(STATE["kinds"]), media_type="application/json")


def _load(path: str) -> dict[str, Any]:
    loaded: dict[str, Any] = orjson.loads(Path(path).read_bytes())
    return loaded


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    from fieldedge.services.security.passwords import PasswordHasher
    from fieldedge.settings import Settings

    # the app's URL spells its driver; only the Argon2 settings are read from it
    app_url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+asyncpg://", 1)
    settings = Settings(database_url=app_url)
    STATE["hasher"] = PasswordHasher(
        memory_kib=settings.argon2_memory_kib,
        time_cost=settings.argon2_time_cost,
        parallelism=settings.argon2_parallelism,
        concurrency=settings.argon2_concurrency,
    )
    STATE["key"] = jwk.construct(os.environ["JWT_SECRET"], "HS256")
    captured = _load(os.environ["BENCH_STATEMENTS"])
    STATE["by_route"], STATE["kinds"] = {}, {"health": []}
    STATE["health"] = captured.pop("health", {"response": {"success": True}})["response"]
    for name, scenario in captured.items():
        for statement, kind in zip(scenario["statements"], scenario["kinds"], strict=True):
            statement["kind"] = kind
        path = scenario["path"].split("?")[0]
        key = (scenario["method"], path, scenario["idempotent"])
        # scenarios sharing a route (plain order create at two concurrencies) replay the
        # first one's statements; the bench's check holds each to its own capture
        STATE["by_route"].setdefault(key, {**scenario, "names": []})["names"].append(name)
    STATE["pool"] = await asyncpg.create_pool(
        os.environ["DATABASE_URL"], min_size=5, max_size=10, reset=_reset
    )
    yield
    await STATE["pool"].close()


app = Starlette(
    routes=[
        Route("/api/health/live", health),
        Route("/bench/kinds", kinds),
        Route("/api/v1/auth/login", login, methods=["POST"]),
        Route("/api/v1/plans/today", plans_today),
        Route("/api/v1/plans/compliance", plans_compliance),
        Route("/api/v1/reports/orders", reports_orders),
        Route("/api/v1/{rest:path}", replay, methods=["GET", "POST", "PATCH", "PUT", "DELETE"]),
    ],
    lifespan=lifespan,
)
