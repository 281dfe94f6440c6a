"""``--profile``: py-spy samples the fieldedge server while wrk drives one scenario (an
extra, unmeasured point, so sampling never touches the figures); the functions with the
most samples on top of the stack (self) and anywhere on it (total) go into RESULTS.md."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any


def _py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(found).exists():
        raise SystemExit("bench --profile needs py-spy: install the bench extra")
    return found


def record(pid: int, seconds: float, out: Path, drive: Any) -> subprocess.Popen[bytes]:
    """Start sampling ``pid`` for ``seconds``, run ``drive()`` (the load), wait for py-spy."""
    cmd = [_py_spy(), "record", "--pid", str(pid), "--duration", str(max(1, round(seconds)))]
    cmd += ["--rate", "200", "--format", "raw", "--output", str(out), "--nonblocking"]
    spy = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        drive()
    finally:
        _, err = spy.communicate(timeout=seconds + 60)
    if spy.returncode != 0 or not out.exists():
        raise SystemExit(f"py-spy failed (exit {spy.returncode}): {err.decode()[-1000:]}")
    return spy


def top(raw: Path, n: int = 15) -> list[str]:
    """Markdown rows: function, self %, total % of the samples (collapsed-stack input)."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        samples += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            total[frame] += int(count)
    if not samples:
        raise SystemExit(f"py-spy recorded no samples into {raw}")
    rows = ["| function (self) | self % | total % |", "|---|---|---|"]
    for frame, count in own.most_common(n):
        rows.append(
            f"| `{frame}` | {100 * count / samples:.1f} | {100 * total[frame] / samples:.1f} |"
        )
    rows.append(f"\n{samples} samples.")
    return rows
