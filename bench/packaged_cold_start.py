"""Cold start of the packaged Lambda artifact, from its unpacked tree (issue 6, "Speed").

    .venv/bin/python bench/packaged_cold_start.py [--zip build/lambda/fieldedge.zip]
        [--tree DIR] [--build] [--runs 10] [--top 15]

The zip a deployer uploads (built by ``bash .ci/package.sh``, or by ``--build``, which
runs ``infra/lambda/build.sh``) is unpacked into a temp dir, so a rebuild by someone else
mid-run cannot change what is measured; ``--tree`` measures an unpacked tree in place.
Every child runs as Lambda sees the bundle: ``python -I -S`` with only the tree (and, for
the yardsticks, a temp copy of ``baseline_handler.py`` / ``baseline_sqlalchemy.py``) on
``sys.path``, so the yardsticks load the bundle's own Starlette, Mangum, SQLAlchemy and
asyncpg. Postgres is selected: a fresh database, migrated with the bundle's own code,
dropped after the run. The timing, interleaving, pinning and reporting are
``cold_start.py``'s helpers (``spawn``, ``report``, ``importtime``), reused unchanged.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import importtime
import report
from child import IMPORTED_MARKER
from environment import PG_URL, _pg_admin
from spawn import HERE, PINNED, run, spawn

ROOT = HERE.parent
TARGETS = {
    "handler": "fieldedge_handlers.aws_lambda",
    "bare": "baseline_handler",
    "bare+sqlalchemy": "baseline_sqlalchemy",
}
# The child as Lambda would run it: the bundle first, then the yardsticks, then the stdlib.
LAUNCH = (
    "import os, runpy, sys; "
    "sys.path[:0] = [os.environ['BENCH_TREE'], os.environ['BENCH_BASELINES']]; "
    "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)
ISOLATED = ("-I", "-S", "-c", LAUNCH)
FROM_TREE = "import asyncio, os, sys; sys.path.insert(0, os.environ['BENCH_TREE']); "


def mib(size: int) -> str:
    return f"{size / 1048576:.1f} MiB"


def sizes(tree: Path, zipped: Path | None, n: int) -> None:
    """The unzipped bundle (Lambda's 250 MB limit counts it) and its biggest parts."""
    per_entry: dict[str, int] = {}
    for path in tree.rglob("*"):
        if path.is_file() and not path.is_symlink():
            top = path.relative_to(tree).parts[0].split("-")[0]  # dist-info joins its package
            per_entry[top] = per_entry.get(top, 0) + path.stat().st_size
    total = sum(per_entry.values())
    print(f"bundle: {tree}\n  unzipped {mib(total)} (limit 250 MB)", end="")
    print(f", zipped {mib(zipped.stat().st_size)} (limit 50 MB)" if zipped else "")
    biggest = sorted(per_entry.items(), key=lambda kv: kv[1], reverse=True)[:n]
    print("  largest entries: " + ", ".join(f"{name} {mib(size)}" for name, size in biggest))


@contextmanager
def bundle(args: argparse.Namespace, tmp: Path) -> Iterator[tuple[Path, Path | None]]:
    if args.tree:
        yield Path(args.tree).resolve(), None
        return
    zipped = (ROOT / args.zip).resolve()
    if args.build or not zipped.exists():
        print(f"building {zipped} with infra/lambda/build.sh (a few minutes)", flush=True)
        env = {**os.environ, "BUILD_PYTHON": sys.executable}
        script = ROOT / "infra" / "lambda" / "build.sh"
        subprocess.run(["bash", str(script), str(zipped)], cwd=ROOT, env=env, check=True)
    tree = tmp / "bundle"
    with zipfile.ZipFile(zipped) as archive:
        archive.extractall(tree)
    yield tree, zipped


@contextmanager
def postgres(env: dict[str, str]) -> Iterator[str]:
    """A fresh database migrated by the bundle's own code, so schema and code match."""
    name = f"fieldedge_bench_{secrets.token_hex(4)}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        url = PG_URL.format(name=name)
        code = FROM_TREE + (
            "from fieldedge_adapters.sql.migrations import upgrade; "
            "asyncio.run(upgrade(sys.argv[1]))"
        )
        done = run(env, "-I", "-S", "-c", code, url)
        if done.returncode != 0:
            sys.exit(f"migrating with the bundle's code failed:\n{done.stderr}")
        yield url
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def measure(env: dict[str, str], runs: int) -> dict[str, list[dict[str, Any]]]:
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in TARGETS}
    for module in TARGETS.values():  # one unmeasured start each: the yardsticks' .pyc
        spawn(module, env, flags=ISOLATED)
    for _ in range(runs):
        for name, module in TARGETS.items():
            results[name].append(spawn(module, env, flags=ISOLATED))
    return results


def import_profile(env: dict[str, str], n: int, repeat: int = 5) -> None:
    handler = TARGETS["handler"]
    eager, lazy = [], []
    for _ in range(repeat):
        done = run(env, "-X", "importtime", "-I", "-S", "-c", FROM_TREE + f"import {handler}")
        if done.returncode != 0:
            sys.exit(done.stderr)
        eager.append(importtime.parse(done.stderr))
        cold = spawn(handler, env, flags=("-X", "importtime", *ISOLATED))
        lazy.append(importtime.parse(cold["stderr"], after=IMPORTED_MARKER))
    found = importtime.median_of(eager)
    report.imports(f"import {handler} (bundle)", found, n)
    ours = [item for item in found if item.module.split(".")[0].startswith("fieldedge")]
    print(
        "\n"
        + importtime.render(
            f"our modules, top {n} by self time", importtime.top(ours, n, by="self_ms")
        )
    )
    report.imports("imported during the first request", importtime.median_of(lazy), n)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--zip", default="build/lambda/fieldedge.zip", help="from the root")
    parser.add_argument("--tree", help="an unpacked bundle to measure in place")
    parser.add_argument("--build", action="store_true", help="rebuild the zip first")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--top", type=int, default=15, help="importers to list")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="fieldedge-packaged-") as tmp_name:
        tmp = Path(tmp_name)
        baselines = tmp / "baselines"
        baselines.mkdir()
        for module in ("baseline_handler", "baseline_sqlalchemy"):
            shutil.copy(HERE / f"{module}.py", baselines)
        with bundle(args, tmp) as (tree, zipped):
            sizes(tree, zipped, 8)
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            env |= {
                "BENCH_PYTHON": sys.executable,
                "BENCH_TMP": str(tmp),
                "BENCH_TREE": str(tree),
                "BENCH_BASELINES": str(baselines),
            }
            with postgres(env) as url:
                env |= {
                    "FIELDEDGE_ENV": "prod",
                    "JWT_SECRET": secrets.token_urlsafe(48),
                    "DATABASE_URL": url,
                    "KV_URL": "memory://",
                    "STORAGE_URL": f"file://{tmp / 'storage'}",
                    "MAIL_URL": "console://",
                    "LOG_LEVEL": "WARNING",
                }
                pinned = "pinned to CPU 1" if PINNED else "not pinned"
                print(f"packaged cold start: postgres, {args.runs} runs each, {pinned}")
                report.timings(measure(env, args.runs), TARGETS)
                import_profile(env, args.top)
    print(f"\nload average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
