"""One benchmark suite: ``python -m bench [--quick] [--seconds S] [--rounds N] [--profile]``.

fieldedge and the ceiling (``bench/ceiling.py``) each run under uvicorn (uvloop,
httptools) pinned to CPU 1; wrk runs on CPU 0. The world is seeded first through a
throwaway server. Each scenario is warmed up, then measured in interleaved rounds
(fieldedge, ceiling, ...); medians and min-max go to stdout and to ``bench/RESULTS.md``.
Exits nonzero when any request errored or a server died.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench import chart, machine, profile, wrk
from bench.environment import analyze, database
from bench.plan import BARE, Req, selected
from bench.plan_world import seed_plans
from bench.report_world import seed_reports
from bench.world import seed

HERE = Path(__file__).resolve().parent
PIN = shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2
HUGE = str(10**9)
SECRET = "bench-secret-" + "b" * 40
GOAL_RATIO = {
    "check-in": 0.5,
    "order create (3 lines)": 0.5,
    "login": 1 / 1.25,
    "plans today (40 outlets)": 0.5,
    "plan compliance (50 reps x 30 days)": 0.5,
    "orders report (200,000 orders, a year by day)": 0.5,
}
# fieldedge against itself: (scenario, reference, how the goal reads, test of a/b).
COMPARE = [
    (
        "idempotent order create c16",
        "order create c16",
        "≤ 15 % over plain (req/s of plain / idempotent - 1)",
        lambda a, b: b / a - 1 <= 0.15,
        lambda a, b: f"{b / a - 1:+.0%}",
    ),
    (
        "check-in, 50 reps of one company",
        "check-in, 50 reps of 50 companies",
        "≥ 0.7 (req/s of one company / of 50 companies)",
        lambda a, b: a / b >= 0.7,
        lambda a, b: f"{a / b:.2f}",
    ),
]


@contextmanager
def server(
    which: str,
    env: dict[str, str],
    port: int,
    log: Path,
    pin: bool,
    command: list[str] | None = None,
    health: str = "/api/health/live",
    cwd: Path = HERE.parent,
) -> Iterator[int]:
    """A server on 127.0.0.1:port; yields its pid once healthy, stops it on the way out.
    ``which`` names a ``bench.serve`` server unless ``command`` (run in ``cwd``, with
    ``env`` free to set its own ``PYTHONPATH``) is another one."""
    serve = command or [sys.executable, "-m", "bench.serve", which]
    cmd = [*(["taskset", "-c", "1"] if pin else []), *serve]
    full_env = {**os.environ, "PYTHONPATH": str(HERE.parent), **env, "PORT": str(port)}
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=full_env, stdout=out, stderr=out, cwd=cwd)
        try:
            for _ in range(300):  # bounded: 30 s
                if proc.poll() is not None:
                    raise SystemExit(
                        f"{which} server exited {proc.returncode}: see {log}\n"
                        + log.read_text()[-2000:]
                    )
                try:
                    if httpx.get(f"http://127.0.0.1:{port}{health}", timeout=0.5).is_success:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                raise SystemExit(f"{which} server did not start: see {log}")
            yield proc.pid
        finally:
            proc.terminate()
            proc.wait(20)


def capture(env: dict[str, str], world: dict[str, Any], tmp: Path, keep: bool) -> dict[str, Any]:
    """fieldedge's statements per scenario, recorded in-process on the bench's database;
    the ceiling replays them. ``python -m bench capture`` keeps a copy in
    ``bench/statements.json`` for review."""
    (tmp / "world.json").write_text(json.dumps(world))
    out = tmp / "statements.json"
    full_env = {**os.environ, **env, "PYTHONPATH": str(HERE.parent)}
    done = subprocess.run(
        [sys.executable, "-m", "bench.capture", str(tmp / "world.json"), str(out)],
        env=full_env,
        cwd=HERE.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: statement capture failed:\n{done.stdout}\n{done.stderr}")
    if keep:
        shutil.copyfile(out, HERE / "statements.json")
    captured: dict[str, Any] = json.loads(out.read_text())
    for name, one in captured.items():
        print(f"  captured {name}: {' '.join(one['kinds'])}", flush=True)
    return captured


def check_replayed(captured: dict[str, Any], port: int) -> None:
    """The ceiling reports the statement kinds it ran per scenario; they must be fieldedge's."""
    ran = httpx.get(f"http://127.0.0.1:{port}/bench/kinds", timeout=5).json()
    for name, one in captured.items():
        if name in BARE:
            if ran.get(name) != BARE[name]:
                raise SystemExit(f"bench: the ceiling did not run {name}'s floor: {ran.get(name)}")
            continue
        if ran.get(name) != one["kinds"]:
            raise SystemExit(
                f"bench: the ceiling ran {ran.get(name)} for {name}, fieldedge {one['kinds']}"
            )


def first(port: int, req: Req) -> None:
    """One request, waited for (a cold server's first answer takes seconds on a busy core)."""
    headers = dict(req.headers)
    if req.bodies:
        headers["Content-Type"] = "application/json"
    if req.idempotent:
        headers["Idempotency-Key"] = f"first-{time.time_ns()}"
    response = httpx.request(
        req.method,
        f"http://127.0.0.1:{port}{req.path}",
        headers=headers,
        content=req.bodies[0] if req.bodies else None,
        timeout=60,
    )
    if response.status_code >= 300:
        raise SystemExit(f"bench: {req.method} {req.path} answered {response.status_code}")


def measure(pid: int, url: str, lua: Path, seconds: float, connections: int) -> dict[str, Any]:
    cpu0, wall0 = machine.cpu_seconds(pid), time.perf_counter()
    kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = wrk.run(url, lua, seconds, connections, PIN)
    if out["requests"] == 0:
        raise SystemExit(f"bench: no request to {url} completed in {seconds:g} s; not a result")
    kids1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter() - wall0
    cpu = machine.cpu_seconds(pid) - cpu0
    out["cpu_ms_per_req"] = 1000 * cpu / max(out["requests"], 1)
    out["server_core"] = cpu / wall
    out["wrk_core"] = (kids1.ru_utime + kids1.ru_stime - kids0.ru_utime - kids0.ru_stime) / wall
    out["rss_mb"] = machine.rss_mb(pid)
    return out


def med(runs: list[dict[str, Any]], key: str) -> tuple[float, float, float]:
    values = [r[key] for r in runs]
    return statistics.median(values), min(values), max(values)


def table(results: dict[str, dict[str, list[dict[str, Any]]]], backend: str) -> list[str]:
    rows = [
        f"| scenario ({backend}) | side | req/s (min-max) | p50 ms | p99 ms | errors | "
        "CPU ms/req | RSS MB | fieldedge/ceiling | goal |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    warnings = []
    for name, sides in results.items():
        app_rps = med(sides["fieldedge"], "rps")[0]
        for side, runs in sides.items():
            rps, lo, hi = med(runs, "rps")
            errors = sum(r["errors"] for r in runs)
            ratio = app_rps / rps if side == "ceiling" else None
            goal = ""
            if side == "ceiling" and name in GOAL_RATIO:
                ok = ratio is not None and ratio >= GOAL_RATIO[name]
                goal = f"≥ {GOAL_RATIO[name]:.2g} {'met' if ok else 'MISSED'}"
                if name == "login":
                    goal = f"≤ 1.25x its floor ({BARE[name]}): {'met' if ok else 'MISSED'}"
                elif name in BARE:
                    goal += f" of {BARE[name]}"
            if side == "fieldedge" and name == "contact list (20)":
                cpu = med(runs, "cpu_ms_per_req")[0]
                goal = f"≤ 0.8 ms CPU {'met' if cpu <= 0.8 else 'MISSED'}"
            if side == "fieldedge" and name == "health":
                goal = f"RSS ≤ 90 MB {'met' if med(runs, 'rss_mb')[0] <= 90 else 'MISSED'}"
            rows.append(
                f"| {name} | {side} | {rps:.0f} ({lo:.0f}-{hi:.0f}) | "
                f"{med(runs, 'p50_us')[0] / 1000:.2f} | {med(runs, 'p99_us')[0] / 1000:.2f} | "
                f"{errors} | {med(runs, 'cpu_ms_per_req')[0]:.3f} | {med(runs, 'rss_mb')[0]:.0f} | "
                f"{'' if ratio is None else f'{ratio:.2f}'} | {goal} |"
            )
            if side == "ceiling":
                core, gen = med(runs, "server_core")[0], med(runs, "wrk_core")[0]
                if core < 0.9 or gen > 0.9:
                    warnings.append(
                        f"| {name} | WARNING | ceiling core {core:.0%}, wrk core "
                        f"{gen:.0%}: ceiling below 90 % or wrk above 90 %, not clean ||||||||"
                    )
    compared = []
    for name, ref, reads, ok, shown in COMPARE:
        if name in results and ref in results:
            a = med(results[name]["fieldedge"], "rps")[0]
            b = med(results[ref]["fieldedge"], "rps")[0]
            verdict = "met" if ok(a, b) else "MISSED"
            compared.append(f"| {name} vs {ref} | {shown(a, b)} | {reads} {verdict} |")
    if compared:
        compared = ["", "| fieldedge vs itself | figure | goal |", "|---|---|---|", *compared]
    return rows + warnings + compared


Results = dict[str, dict[str, list[dict[str, Any]]]]


def fieldedge_env(tmp: Path) -> dict[str, str]:
    """The measured fieldedge's env (prod, Redis KV, limits out of reach), less its
    ``DATABASE_URL``."""
    return {
        "FIELDEDGE_ENV": "prod",
        "JWT_SECRET": SECRET,
        "LOG_LEVEL": "WARNING",
        "KV_URL": "redis://127.0.0.1:6379/15",
        "OUTBOX_INLINE": "false",
        "DB_POOL_SIZE": "10",
        "STORAGE_URL": f"file://{tmp}/storage",
        "MAIL_URL": "console://",
        **{
            f"RATE_{k}": HUGE
            for k in ("AUTH_EMAIL_PER_MIN", "AUTH_IP_PER_MIN", "READ_PER_MIN", "WRITE_PER_MIN")
        },
    }


def run_backend(
    backend: str, args: argparse.Namespace, tmp: Path
) -> tuple[list[str], int, Results]:
    env = fieldedge_env(tmp)
    with database(backend, tmp, sys.executable) as url:
        env["DATABASE_URL"] = url
        with server("app", env, 18700, tmp / "seed.log", False):
            base = "http://127.0.0.1:18700"
            # --only: just the beat-plan scenarios and their world (no crowd, no capture
            # of the others); otherwise everything.
            world = {"only": args.only} if args.only else seed(base)
            try:
                only = args.only or ""
                if not only or "plan" in only:
                    world["plans"] = seed_plans(base, url)
                if not only or "report" in only:
                    world["reports"] = seed_reports(base, url)
            except BaseException:
                print((tmp / "seed.log").read_text()[-3000:], file=sys.stderr)
                raise
        analyze(url)
        captured = capture(env, world, tmp, args.capture_only)
        if args.capture_only:
            return [], 0, {}
        ceiling_env = {
            **env,
            "DATABASE_URL": url.replace("+asyncpg", ""),
            "BENCH_STATEMENTS": str(tmp / "statements.json"),
        }
        reqs = selected(world)
        plan = {name: (req.path, req.lua(tmp, name), req) for name, req in reqs.items()}
        if args.profile and args.profile not in plan:
            raise SystemExit(f"bench: --profile {args.profile!r}: scenarios are {list(plan)}")
        results: dict[str, dict[str, list[dict[str, Any]]]] = {}
        profiled: list[str] = []
        with (
            server("app", env, 18701, tmp / "app.log", PIN) as app_pid,
            server("ceiling", ceiling_env, 18702, tmp / "ceiling.log", PIN) as ceil_pid,
        ):
            sides = {"fieldedge": (app_pid, 18701), "ceiling": (ceil_pid, 18702)}
            for name, (path, lua, req) in plan.items():
                conns = req.connections or args.connections
                results[name] = {side: [] for side in sides}
                for _pid, port in sides.values():
                    first(port, req)  # the first request pays lazy imports and mapping
                for _pid, port in sides.values():  # warm-up; may complete nothing
                    wrk.run(f"http://127.0.0.1:{port}{path}", lua, args.warmup, conns, PIN)
                for _ in range(args.rounds):
                    for side, (pid, port) in sides.items():
                        url_ = f"http://127.0.0.1:{port}{path}"
                        results[name][side].append(measure(pid, url_, lua, args.seconds, conns))
                print(f"  {backend} {name}: done", flush=True)
                if args.profile == name:
                    raw = tmp / "profile.txt"
                    url_ = f"http://127.0.0.1:18701{path}"
                    profile.record(
                        app_pid,
                        args.seconds,
                        raw,
                        lambda u=url_, s=lua, c=conns: wrk.run(u, s, args.seconds, c, PIN),
                    )
                    profiled = [
                        "",
                        f"py-spy of fieldedge during {name} (an extra, unmeasured point):",
                        "",
                        *profile.top(raw),
                    ]
            check_replayed(captured, 18702)
    errors = sum(
        r["errors"] for sides_ in results.values() for runs in sides_.values() for r in runs
    )
    return table(results, backend) + profiled, errors, results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 s points, one round")
    parser.add_argument("--seconds", type=float, default=7)  # 9 scenarios: ~9 min in all
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--backend", choices=["postgres"], action="append")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="contact list (20)",
        metavar="SCENARIO",
        help="py-spy the fieldedge server during SCENARIO (default: the contact list)",
    )
    parser.add_argument(
        "--only",
        metavar="TEXT",
        help="run only the beat-plan or report scenarios whose name holds TEXT ('plan', 'report')",
    )
    parser.add_argument("command", nargs="?", choices=["run", "capture"], default="run")
    args = parser.parse_args()
    args.warmup = 3.0
    args.capture_only = args.command == "capture"
    if args.quick:
        args.seconds, args.rounds, args.warmup = 2.0, 1, 2.0
    wrk.ensure_wrk()
    started = time.perf_counter()
    info = machine.info()
    stamp = time.strftime("%Y%m%d-%H%M", time.gmtime())
    lines = [
        f"\n## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} — commit {info['commit']}",
        f"\n{info['cpu']}, {info['cores']} cores, Linux {info['kernel']}, Python "
        f"{info['python']}; {args.rounds} round(s) x {args.seconds:g} s, "
        f"{args.connections} connections, pinned={PIN}\n",
    ]
    errors = 0
    with tempfile.TemporaryDirectory(prefix="fieldedge-bench-") as tmp_name:
        for backend in args.backend or ["postgres"]:
            rows, errs, results = run_backend(backend, args, Path(tmp_name))
            if args.capture_only:
                print("bench: statements written to bench/statements.json")
                return 0
            png = HERE / f"ratios-{stamp}-{backend}.png"
            chart.write(png, lines[0].strip("\n# "), results, GOAL_RATIO)
            lines += [*rows, "", f"Chart: `bench/{png.name}`.", ""]
            errors += errs
    lines.append(f"Run took {time.perf_counter() - started:.0f} s.\n")
    return record(lines, errors)


def record(lines: list[str], errors: int) -> int:
    """Print the entry, append it to ``bench/RESULTS.md``; the exit code (1 on errors)."""
    text = "\n".join(lines).strip("\n") + "\n"
    print(text)
    results = HERE / "RESULTS.md"
    # One blank line before the entry's heading, whatever the last entry ended with.
    ending = results.read_text()[-2:] if results.exists() else ""
    gap = "" if ending in ("", "\n\n") else "\n" if ending.endswith("\n") else "\n\n"
    with results.open("a") as f:
        f.write(gap + text)
    if errors:
        print(f"bench: {errors} requests errored (non-2xx or socket errors)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
