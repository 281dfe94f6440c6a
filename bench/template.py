"""fieldedge beside the FastAPI template: ``python -m bench.template BACKEND``.

Issue 9's goal: fieldedge's contact list at ≥ 2x the req/s of the FastAPI full-stack
template (``github.com/fastapi/full-stack-fastapi-template``) on the same work, an
authenticated list of 20 rows. The template is never vendored: ``BACKEND`` is its
``backend/`` folder, set up outside this repository with a venv of its own (by default
``BACKEND/../.venv``; ``--python`` names another interpreter). Setting it up (the exact
commands are in ``bench/README.md``, "fieldedge vs the FastAPI template"): extract
``backend/`` from the template's repository, make a venv, install the dependencies its
``pyproject.toml`` lists plus uvloop and httptools, and, on Python < 3.14, apply its three
small 3.14-only spots (an unparenthesised ``except A, B:``, a forward reference PEP 649
resolves lazily, and an empty ``app/frontend`` folder its ``app.frontend(...)`` needs).

What a run does: a fresh migrated ``fieldedge_bench_*`` database seeded through a
throwaway fieldedge server (a rep with 25 contacts, no crowd), and a fresh
``fieldedge_template_*`` database migrated with the template's own alembic and initial
data (its superuser), then 25 items created through a throwaway template server and its
JWT from ``POST /api/v1/login/access-token``. Both databases are dropped afterwards.
Measured: fieldedge (``bench/serve.py app``, as the suite runs it) and the template
(``uvicorn app.main:app``, uvloop, httptools, no access log, its settings otherwise as
shipped: sync routes in the thread pool, SQLAlchemy + psycopg), each pinned to CPU 1, wrk
on CPU 0, 32 connections; ``GET /api/v1/contacts?limit=20`` as the rep against ``GET
/api/v1/items/?skip=0&limit=20`` as the template's superuser. One request each, a warm-up,
then interleaved rounds (fieldedge, template, ...). The table (req/s median and min-max,
p50/p99, errors, server CPU ms per request, RSS, fieldedge/template, the goal) is appended
to ``bench/RESULTS.md`` with machine, commit, the template's versions and load average.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench import machine, wrk
from bench.__main__ import HERE, PIN, fieldedge_env, first, measure, med, record, server
from bench.environment import database, scratch_database
from bench.plan import Req
from bench.world import PASSWORD, seed

GOAL = 2.0
ITEMS = 25
SUPERUSER = "admin@example.com"
HEALTH = "/api/v1/utils/health-check/"


def template_env(db: str) -> dict[str, str]:
    """The template's settings (``app/core/config.py``) for a run; no Sentry, no SMTP."""
    return {
        "PYTHONPATH": ".",  # the backend folder, the processes' cwd: ``import app``
        "SECRET_KEY": secrets.token_urlsafe(32),
        "PROJECT_NAME": "FastAPI template (bench)",
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{db}",
        "FIRST_SUPERUSER": SUPERUSER,
        "FIRST_SUPERUSER_PASSWORD": PASSWORD,
    }


def uvicorn_cmd(python: str) -> list[str]:
    return [
        python,
        *("-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--loop", "uvloop"),
        *("--http", "httptools", "--log-level", "warning", "--no-access-log"),
    ]


def prepare_template(backend: Path, python: str, env: dict[str, str]) -> None:
    """Its own prestart, minus the wait: ``alembic upgrade head``, ``app/initial_data.py``."""
    full_env = {**os.environ, **env}
    for step in ([python, "-m", "alembic", "upgrade", "head"], [python, "app/initial_data.py"]):
        done = subprocess.run(
            step, cwd=backend, env=full_env, capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            raise SystemExit(f"template setup failed at {step[1:]}:\n{done.stderr[-3000:]}")


def seed_template(base: str) -> str:
    """``ITEMS`` items for the superuser; its access token."""
    c = httpx.Client(base_url=base, timeout=30)
    login = c.post("/api/v1/login/access-token", data={"username": SUPERUSER, "password": PASSWORD})
    login.raise_for_status()
    token: str = login.json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    for i in range(ITEMS):
        item = {"title": f"Item {i}", "description": f"Bench item number {i}"}
        c.post("/api/v1/items/", json=item, headers=auth).raise_for_status()
    listed = c.get("/api/v1/items/?skip=0&limit=20", headers=auth).json()
    if len(listed["data"]) != 20:
        raise SystemExit(f"template: the list holds {len(listed['data'])} items, not 20")
    c.close()
    return token


def versions(python: str, backend: Path) -> str:
    code = (
        "import platform, fastapi, starlette, sqlalchemy, sqlmodel, pydantic, uvicorn\n"
        "print(f'Python {platform.python_version()}, fastapi {fastapi.__version__}, '\n"
        "      f'starlette {starlette.__version__}, sqlalchemy {sqlalchemy.__version__}, '\n"
        "      f'sqlmodel {sqlmodel.__version__}, pydantic {pydantic.VERSION}, '\n"
        "      f'uvicorn {uvicorn.__version__}')"
    )
    done = subprocess.run(
        [python, "-c", code], cwd=backend, capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        raise SystemExit(f"template: {python} cannot import its stack:\n{done.stderr}")
    return done.stdout.strip()


def table(results: dict[str, list[dict[str, Any]]]) -> list[str]:
    rows = [
        "| scenario | side | req/s (min-max) | p50 ms | p99 ms | errors | CPU ms/req | RSS MB "
        "| fieldedge/template | goal |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    app_rps = med(results["fieldedge"], "rps")[0]
    for side, runs in results.items():
        rps, lo, hi = med(runs, "rps")
        ratio, goal = "", ""
        if side == "template":
            ratio = f"{app_rps / rps:.2f}"
            goal = f"≥ {GOAL:g} {'met' if app_rps / rps >= GOAL else 'MISSED'}"
        path = "contacts?limit=20" if side == "fieldedge" else "items/?skip=0&limit=20"
        rows.append(
            f"| list of 20 (`{path}`) | {side} | {rps:.0f} ({lo:.0f}-{hi:.0f}) | "
            f"{med(runs, 'p50_us')[0] / 1000:.2f} | {med(runs, 'p99_us')[0] / 1000:.2f} | "
            f"{sum(r['errors'] for r in runs)} | {med(runs, 'cpu_ms_per_req')[0]:.3f} | "
            f"{med(runs, 'rss_mb')[0]:.0f} | {ratio} | {goal} |"
        )
    paired = zip(results["fieldedge"], results["template"], strict=True)
    rounds = ", ".join(
        f"{a['rps']:.0f} / {b['rps']:.0f} = {a['rps'] / b['rps']:.2f}" for a, b in paired
    )
    cpu = (
        med(results["template"], "cpu_ms_per_req")[0]
        / med(results["fieldedge"], "cpu_ms_per_req")[0]
    )
    notes = [
        "",
        f"Per round, fieldedge / template req/s: {rounds}. Server CPU per request, "
        f"template / fieldedge: {cpu:.2f}x.",
    ]
    for side, runs in results.items():
        core, gen = med(runs, "server_core")[0], med(runs, "wrk_core")[0]
        if core < 0.9 or gen > 0.9:
            rows.append(
                f"| WARNING | {side} | server core {core:.0%}, wrk core {gen:.0%}: "
                "server below 90 % or wrk above 90 %, not clean ||||||||"
            )
    return rows + notes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("backend", type=Path, help="the template's backend/ folder")
    parser.add_argument("--python", help="its interpreter (default BACKEND/../.venv/bin/python)")
    parser.add_argument("--seconds", type=float, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=3)
    args = parser.parse_args()
    backend: Path = args.backend.resolve()
    python = args.python or str(backend.parent / ".venv" / "bin" / "python")
    if not (backend / "app" / "main.py").is_file():
        raise SystemExit(f"{backend} is not the template's backend/ (no app/main.py)")
    if HERE.parent in backend.parents or backend == HERE.parent:
        raise SystemExit("the template must live outside this repository")
    wrk.ensure_wrk()
    stack = versions(python, backend)
    rev_file = backend.parent / "COMMIT"
    rev = rev_file.read_text().strip()[:12] if rev_file.is_file() else "unknown commit"
    load0 = os.getloadavg()
    started = time.perf_counter()
    info = machine.info()
    results: dict[str, list[dict[str, Any]]] = {"fieldedge": [], "template": []}
    with (
        tempfile.TemporaryDirectory(prefix="fieldedge-bench-") as tmp_name,
        scratch_database("fieldedge_template") as template_db,
    ):
        tmp = Path(tmp_name)
        env = fieldedge_env(tmp)
        tenv = template_env(template_db)
        prepare_template(backend, python, tenv)
        cmd = uvicorn_cmd(python)
        with database("postgres", tmp, sys.executable) as url:
            env["DATABASE_URL"] = url
            with server("app", env, 18720, tmp / "seed.log", False):
                world = seed("http://127.0.0.1:18720", crowd_size=0)
            with server(
                "template",
                tenv,
                18721,
                tmp / "tseed.log",
                False,
                [*cmd, "--port", "18721"],
                HEALTH,
                backend,
            ):
                token = seed_template("http://127.0.0.1:18721")
            reqs = {
                "fieldedge": Req(
                    "GET",
                    "/api/v1/contacts?limit=20",
                    {"Authorization": f"Bearer {world['token']}"},
                ),
                "template": Req(
                    "GET", "/api/v1/items/?skip=0&limit=20", {"Authorization": f"Bearer {token}"}
                ),
            }
            with (
                server("app", env, 18722, tmp / "app.log", PIN) as app_pid,
                server(
                    "template",
                    tenv,
                    18723,
                    tmp / "template.log",
                    PIN,
                    [*cmd, "--port", "18723"],
                    HEALTH,
                    backend,
                ) as template_pid,
            ):
                sides = {
                    "fieldedge": (app_pid, 18722, reqs["fieldedge"].lua(tmp, "fieldedge")),
                    "template": (template_pid, 18723, reqs["template"].lua(tmp, "template")),
                }
                for side, (_pid, port, _lua) in sides.items():
                    first(port, reqs[side])
                for side, (_pid, port, lua) in sides.items():
                    url_ = f"http://127.0.0.1:{port}{reqs[side].path}"
                    wrk.run(url_, lua, args.warmup, args.connections, PIN)
                for _ in range(args.rounds):
                    for side, (pid, port, lua) in sides.items():
                        url_ = f"http://127.0.0.1:{port}{reqs[side].path}"
                        results[side].append(
                            measure(pid, url_, lua, args.seconds, args.connections)
                        )
    load1 = os.getloadavg()
    lines = [
        f"\n## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} — commit {info['commit']}:"
        " fieldedge vs the FastAPI template (`python -m bench.template`)",
        f"\n{info['cpu']}, {info['cores']} cores, Linux {info['kernel']}, Python "
        f"{info['python']}; {args.rounds} round(s) x {args.seconds:g} s, "
        f"{args.connections} connections, pinned={PIN}; load average "
        f"{load0[0]:.1f} at start, {load1[0]:.1f} at end.",
        f"The template: full-stack-fastapi-template {rev} (backend only, set up as "
        f"`bench/README.md` says), {stack}; {ITEMS} items, listed as its superuser.\n",
        *table(results),
        "",
        f"Run took {time.perf_counter() - started:.0f} s.\n",
    ]
    return record(lines, sum(r["errors"] for runs in results.values() for r in runs))


if __name__ == "__main__":
    sys.exit(main())
