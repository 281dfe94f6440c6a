"""What fieldedge sends the database per scenario, captured so the ceiling can replay it.

``python -m bench.capture WORLD.json OUT.json`` (env: fieldedge's, as the measured server
gets it) builds the app in-process, sends one request of each scenario through
``httpx.ASGITransport`` and records every statement the asyncpg connections run, with its
arguments. Each argument gets a role the ceiling can fill per request: a claim of the
token (``cid``, ``sub``), a field of the request body (``body:contactId``), a fresh
``uuid`` or ``now``, or a ``const`` (JSON-encoded, typed). The company id written as a
literal into the ``BEGIN`` round trip becomes ``{cid}``. The response body is kept too:
the ceiling serialises the same shape. No value is stored that a request would not see.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import decimal
import json
import re
import sys
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from jose import jwt

Recorded = list[tuple[str, tuple[Any, ...]]]
RECORD_WITH_COMMIT = re.compile(
    r"WITH written AS \(INSERT INTO idempotency_keys .*COMMIT\s*$", re.S
)


def kinds(statements: list[dict[str, Any]]) -> list[str]:
    """Each statement by its first word, as tests/http/fieldforce/test_statements.py counts."""
    return [re.split(r"[\s;]", s["sql"], maxsplit=1)[0].upper() for s in statements]


def _paths(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_paths(v, f"{prefix}.{k}" if prefix else k))
        return out
    if isinstance(value, list):
        out = {}
        for i, v in enumerate(value):
            out.update(_paths(v, f"{prefix}[{i}]"))
        return out
    return {prefix: value}


def _const(value: Any) -> dict[str, Any]:
    if isinstance(value, decimal.Decimal):
        return {"role": "const", "type": "decimal", "value": str(value)}
    if isinstance(value, bytes):
        return {"role": "const", "type": "bytes", "value": base64.b64encode(value).decode()}
    if isinstance(value, list):
        return {"role": "list", "items": [_const(v) for v in value]}
    if isinstance(value, uuid.UUID | dt.datetime | dt.date):
        raise TypeError(f"not a constant: {value!r}")
    json.dumps(value)  # fails loudly on anything the ceiling could not rebuild
    return {"role": "const", "type": "json", "value": value}


def role(value: Any, known: dict[str, Any]) -> dict[str, Any]:
    if isinstance(value, list):
        return {"role": "list", "items": [role(v, known) for v in value]}
    for name, candidate in known.items():
        if candidate is None or isinstance(candidate, bool | int | float):
            continue  # numbers repeat by chance; only ids and strings are named
        if value == candidate or (isinstance(value, uuid.UUID) and str(value) == candidate):
            return {"role": name}
    if isinstance(value, uuid.UUID):
        return {"role": "uuid"}
    if isinstance(value, dt.datetime):
        return {"role": "now", "tz": value.tzinfo is not None}
    if isinstance(value, dt.date):
        return {"role": "today"}
    return _const(value)


def _record(sent: Recorded) -> list[Any]:
    """Wrap asyncpg's Connection methods for the capture process only (not the app's code)."""
    patched = []
    for name in ("fetch", "execute", "fetchrow", "fetchval", "executemany"):
        original = getattr(asyncpg.connection.Connection, name)

        def wrapper(self: Any, query: str, *args: Any, __o: Any = original, **kw: Any) -> Any:
            if sent is not None:
                sent.append((query, args))
            return __o(self, query, *args, **kw)

        setattr(asyncpg.connection.Connection, name, wrapper)
        patched.append((name, original))
    return patched


async def _capture(world: dict[str, Any]) -> dict[str, Any]:
    from bench.plan import selected
    from fieldedge_handlers.asgi import create_from
    from fieldedge_handlers.bootstrap import build_deps, close_deps, load_settings

    deps = build_deps(load_settings())
    app = create_from(deps)
    out: dict[str, Any] = {}
    sent: Recorded = []
    patched = _record(sent)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, req in selected(world).items():
                for attempt in range(2):  # the first warms pools and caches; the second counts
                    k = attempt % len(req.bodies) if req.bodies else 0
                    body = req.bodies[k] if req.bodies else None
                    headers = dict(req.headers)
                    if req.tokens:
                        headers["Authorization"] = f"Bearer {req.tokens[k]}"
                    if body:
                        headers["Content-Type"] = "application/json"
                    if req.idempotent:
                        headers["Idempotency-Key"] = f"capture-{attempt}-{uuid.uuid4()}"
                    sent.clear()
                    response = await client.request(
                        req.method, req.path, headers=headers, content=body
                    )
                    if response.status_code >= 300:
                        raise SystemExit(
                            f"capture: {name} answered {response.status_code}: {response.text}"
                        )
                token = headers.get("Authorization", "").removeprefix("Bearer ")
                claims = jwt.get_unverified_claims(token) if token else {"cid": "-", "sub": "-"}
                known = {"cid": claims["cid"], "sub": claims["sub"]}
                parsed = json.loads(body) if body else {}
                known.update({f"body:{k}": v for k, v in _paths(parsed).items()})
                if req.idempotent:
                    known["header:idempotency-key"] = headers["Idempotency-Key"]
                statements = [
                    # The idempotency record travels with the COMMIT as literal text (its
                    # values written in), which the ceiling makes afresh per request.
                    {"sql": sql, "args": [], "record": True}
                    if RECORD_WITH_COMMIT.match(sql)
                    else {
                        "sql": sql.replace(claims["cid"], "{cid}"),
                        "args": [role(a, known) for a in args],
                    }
                    for sql, args in sent
                ]
                out[name] = {
                    "method": req.method,
                    "path": req.path,
                    "idempotent": req.idempotent,
                    "status": response.status_code,
                    "statements": statements,
                    "kinds": kinds(statements),
                    "response": _template(response.json(), known),
                }
    finally:
        for name, original in patched:
            setattr(asyncpg.connection.Connection, name, original)
        await close_deps(deps)
    return out


def _template(value: Any, known: dict[str, Any]) -> Any:
    """The response with request-derived values named, so the ceiling fills them in."""
    if isinstance(value, dict):
        return {k: _template(v, known) for k, v in value.items()}
    if isinstance(value, list):
        return [_template(v, known) for v in value]
    for name, candidate in known.items():
        if isinstance(value, str) and value == candidate:
            return {"$": name}
    return value


def main() -> None:
    world = json.loads(Path(sys.argv[1]).read_text())
    Path(sys.argv[2]).write_text(json.dumps(asyncio.run(_capture(world)), indent=1) + "\n")


if __name__ == "__main__":
    main()
