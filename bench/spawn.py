"""Starting the fresh processes a cold start is measured in.

The run's context travels in the env: ``BENCH_TMP`` (the children's working directory)
and ``BENCH_PYTHON`` (the interpreter under test, so a runtime-only venv can be measured).
Children are pinned to CPU 1 when ``taskset`` exists, so the two handlers share one core.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PINNED = shutil.which("taskset") is not None


def command(env: dict[str, str], *python_args: str) -> list[str]:
    pin = ["taskset", "-c", "1"] if PINNED else []
    return [*pin, env["BENCH_PYTHON"], *python_args]


def run(env: dict[str, str], *python_args: str) -> subprocess.CompletedProcess[str]:
    env = {**env, "PYTHONPATH": str(HERE)}  # child.py imports baseline_handler from here
    return subprocess.run(
        command(env, *python_args),
        env=env,
        cwd=env["BENCH_TMP"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def spawn(module: str, env: dict[str, str], *extra: str, flags: tuple[str, ...] = ()) -> Any:
    """One cold start of ``module``; exits the bench if it fails or is not healthy."""
    started = time.perf_counter()
    done = run(env, *flags, str(HERE / "child.py"), module, *extra)
    wall = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH ")]
    if done.returncode != 0 or not lines:
        sys.exit(f"{module} failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    result = json.loads(lines[-1].removeprefix("BENCH "))
    if result["status"] != 200 or result["health"] != "healthy":
        sys.exit(f"{module} answered {result['status']} {result['health']}:\n{done.stdout}")
    return {**result, "process_s": wall, "stderr": done.stderr}
