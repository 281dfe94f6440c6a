"""Lists and searches at scale (issue 15): ``python -m bench.scale [--url URL | --scale N]``.

Every list and search route on the scale fixture's big tenant, fieldedge against
hand-written SQL over asyncpg (``bench/scale_ceiling.py``) on the same request, the same
SQL inside fieldedge's transaction (``BEGIN`` + tenant scope, the query, ``ROLLBACK``: what
``bench/ceiling.py`` replays for the other scenarios), and the same route on one of the
small tenants beside it. Goals: fieldedge ≥ 0.5 of the
hand-written SQL's req/s; the big tenant's p99 within 2x of the small tenant's.

``--url`` reuses a database the fixture already filled (``fieldedge seed --scale N``:
seventeen minutes at scale 1 on the shared bench machine); without it a fresh database
is made, filled at ``--scale`` (default 0.1) and dropped after. Servers, pinning and
wrk are the suite's (``bench/__main__.py``). Results are appended to
``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from bench import machine, wrk
from bench.__main__ import PIN, fieldedge_env, first, measure, record, server
from bench.environment import database
from bench.plan import Req

PASSWORD = "scale-bench-passphrase"
GOAL_RATIO, GOAL_P99 = 0.5, 2.0
# A point where wrk saw no answer within its 5 s timeout (reported, never averaged in).
NOTHING: dict[str, Any] = {"rps": 0.0, "p50_us": 5e6, "p99_us": 5e6, "errors": 0}


async def _logins(dsn: str) -> dict[str, Any]:
    """Who the scenarios act as (the big tenant's admin and first rep, a small tenant's
    admin), given a password; and values the queries need."""
    import asyncpg

    from fieldedge.services.security.passwords import PasswordHasher

    hashed = await PasswordHasher().hash(PASSWORD)
    connection = await asyncpg.connect(dsn)
    try:
        big = await connection.fetchval(
            "SELECT id FROM companies WHERE name = 'Scale Distributors'"
        )
        small = await connection.fetchval("SELECT id FROM companies WHERE name = 'Small Tenant 07'")
        emails = ["admin@scale.example.com", "admin@small07.example.com"]
        await connection.execute(
            "UPDATE users SET password_hash = $1 WHERE email = ANY($2)", hashed, emails
        )

        async def one(sql: str, company: Any) -> Any:
            return await connection.fetchval(sql, company)

        found = {}
        for label, company in (("big", big), ("small", small)):
            found[label] = {
                "rep": await one(
                    "SELECT id FROM users WHERE company_id = $1 AND role = "
                    "'SALES_REP' ORDER BY email LIMIT 1",
                    company,
                ),
                "day": await one(
                    "SELECT max(checked_in_at) FROM visits WHERE company_id = $1", company
                ),
                "phone": await one(
                    "SELECT phone FROM contacts WHERE company_id = $1 ORDER BY id LIMIT 1", company
                ),
            }
        return {"emails": emails, **found}
    finally:
        await connection.close()


def _token(base: str, email: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=60
    )
    response.raise_for_status()
    return str(response.json()["data"]["accessToken"])


def _routes(values: dict[str, Any]) -> dict[str, str]:
    """The scenarios: path and query, for one tenant's values."""
    day = values["day"].replace(hour=0, minute=0, second=0, microsecond=0)
    rep_day = urlencode(
        {
            "userId": str(values["rep"]),
            "since": day.isoformat(),
            "until": (day + timedelta(days=1)).isoformat(),
        }
    )
    return {
        "contact list": "/api/v1/contacts",
        "?q= frequent (mehta)": "/api/v1/contacts?q=mehta",
        "?q= a miss (zzqx)": "/api/v1/contacts?q=zzqx",
        "?q= phone digits": f"/api/v1/contacts?q={values['phone'][3:10]}",
        "?city=": "/api/v1/contacts?city=nashik",
        "?tag= (rare)": "/api/v1/contacts?tag=vip",
        "?near= 5 km, Pune": "/api/v1/contacts?near=18.5204,73.8567&radiusKm=5",
        "visits, a rep's day": f"/api/v1/visits?{rep_day}",
        "orders ?status=REJECTED": "/api/v1/orders?status=REJECTED",
        "orders ?withBalance=true": "/api/v1/orders?withBalance=true",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a database the scale fixture filled (postgresql+asyncpg)")
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fieldedge-scale-") as tmp_name:
        tmp = Path(tmp_name)
        if args.url:
            lines, errors = run(args, args.url, tmp)
        else:
            with database("postgres", tmp, sys.executable) as url:
                from fieldedge_adapters.sql.scale_fixture import seed_scale

                world = asyncio.run(
                    seed_scale(url.replace("+asyncpg", ""), args.scale, progress=print)
                )
                print(f"seeded in {world.seconds:.0f} s", flush=True)
                lines, errors = run(args, url, tmp)
    return record(lines, errors)


def run(args: argparse.Namespace, url: str, tmp: Path) -> tuple[list[str], int]:
    dsn = url.replace("+asyncpg", "")
    values = asyncio.run(_logins(dsn))
    env = {**fieldedge_env(tmp), "DATABASE_URL": url}
    ceiling_env = {**env, "DATABASE_URL": dsn}
    in_transaction_env = {**ceiling_env, "SCALE_CEILING_TRANSACTION": "1"}
    results: dict[str, dict[str, dict[str, Any]]] = {}
    with (
        server("app", env, 18711, tmp / "app.log", PIN) as app_pid,
        server("scale-ceiling", ceiling_env, 18712, tmp / "ceiling.log", PIN) as ceil_pid,
        server("scale-ceiling", in_transaction_env, 18713, tmp / "tx.log", PIN) as tx_pid,
    ):
        tokens = {
            label: _token("http://127.0.0.1:18711", email)
            for label, email in zip(("big", "small"), values["emails"], strict=True)
        }
        sides = [
            ("fieldedge", "big", app_pid, 18711),
            ("hand-written SQL", "big", ceil_pid, 18712),
            ("SQL in a transaction", "big", tx_pid, 18713),
            ("fieldedge", "small", app_pid, 18711),
        ]
        for name in _routes(values["big"]):
            results[name] = {}
            for side, tenant, pid, port in sides:
                path = _routes(values[tenant])[name]
                headers = {"Authorization": f"Bearer {tokens[tenant]}"}
                lua = wrk.script(
                    tmp, f"s{len(results)}{side[:3]}{tenant}", "GET", headers, [], False
                )
                first(port, Req(method="GET", path=path, headers=headers, bodies=[]))
                wrk.run(f"http://127.0.0.1:{port}{path}", lua, 1, args.connections, PIN)
                key = f"{side} {tenant}"
                try:
                    results[name][key] = measure(
                        pid, f"http://127.0.0.1:{port}{path}", lua, args.seconds, args.connections
                    )
                except SystemExit as stopped:  # no request completed: a row that says so
                    print(f"  {name} {key}: {stopped}", flush=True)
                    results[name][key] = NOTHING
            print(f"  {name}: done", flush=True)
    return _table(results, args, url), sum(
        point["errors"] for sides_ in results.values() for point in sides_.values()
    )


def _table(
    results: dict[str, dict[str, dict[str, Any]]], args: argparse.Namespace, url: str
) -> list[str]:
    lines = [
        f"## Lists and searches at scale ({datetime.now().astimezone():%Y-%m-%d %H:%M %Z},"
        f" `python -m bench.scale`, {args.seconds:g} s a point, {args.connections} connections)",
        "",
        f"Database `{url.rsplit('/', 1)[-1]}`; "
        + ", ".join(f"{k} {v}" for k, v in machine.info().items())
        + f"; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}.",
        "",
        "| route | fieldedge big req/s | p50 / p99 ms | SQL big req/s | p50 / p99 ms "
        "| ratio (goal ≥ 0.5) | SQL in a transaction req/s | ratio to it "
        "| fieldedge small req/s | p50 / p99 ms | p99 big/small (goal ≤ 2) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, points in results.items():
        app, sql, tx, small = (
            points[k]
            for k in (
                "fieldedge big",
                "hand-written SQL big",
                "SQL in a transaction big",
                "fieldedge small",
            )
        )

        def lat(p: dict[str, Any]) -> str:
            return f"{p['p50_us'] / 1000:.1f} / {p['p99_us'] / 1000:.1f}"

        ratio = app["rps"] / max(sql["rps"], 1e-9)
        p99 = app["p99_us"] / max(small["p99_us"], 1)
        lines.append(
            f"| {name} | {app['rps']:.0f} | {lat(app)} | {sql['rps']:.0f} | {lat(sql)} "
            f"| {ratio:.2f} {'ok' if ratio >= GOAL_RATIO else 'MISSED'} | {tx['rps']:.0f} "
            f"| {app['rps'] / max(tx['rps'], 1e-9):.2f} | {small['rps']:.0f} "
            f"| {lat(small)} | {p99:.2f} {'ok' if p99 <= GOAL_P99 else 'MISSED'} |"
        )
    return [*lines, ""]


if __name__ == "__main__":
    raise SystemExit(main())
