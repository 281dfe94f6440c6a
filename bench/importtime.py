"""Reading ``python -X importtime`` output: which modules a cold start pays for.

Each stderr line is ``import time: SELF_US | CUMULATIVE_US | <indent>module``; the indent
is the nesting, and a module's cumulative time includes everything it imported first.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S+)$")


@dataclass(frozen=True)
class Imported:
    module: str
    self_ms: float
    cumulative_ms: float
    depth: int


def parse(stderr: str, *, after: str | None = None) -> list[Imported]:
    """Every import recorded; with ``after``, only those following that marker line."""
    lines = stderr.splitlines()
    if after is not None:
        lines = lines[lines.index(after) + 1 :] if after in lines else []
    found = []
    for line in lines:
        match = _LINE.match(line)
        if match:
            self_us, cumulative_us, indent, module = match.groups()
            found.append(
                Imported(module, int(self_us) / 1000, int(cumulative_us) / 1000, len(indent) // 2)
            )
    return found


def median_of(runs: list[list[Imported]]) -> list[Imported]:
    """Per-module medians over several runs: one run on a busy machine is too noisy.

    A module listed twice in one run (a package re-entered) counts once: its self times
    summed, its largest cumulative time kept.
    """
    per_run: list[dict[str, Imported]] = []
    for found in runs:
        merged: dict[str, Imported] = {}
        for item in found:
            seen = merged.get(item.module)
            if seen is not None:
                item = Imported(
                    item.module,
                    seen.self_ms + item.self_ms,
                    max(seen.cumulative_ms, item.cumulative_ms),
                    min(seen.depth, item.depth),
                )
            merged[item.module] = item
        per_run.append(merged)
    modules = {name for merged in per_run for name in merged}
    result = []
    for name in modules:
        present = [merged[name] for merged in per_run if name in merged]
        result.append(
            Imported(
                name,
                statistics.median(item.self_ms for item in present),
                statistics.median(item.cumulative_ms for item in present),
                present[0].depth,
            )
        )
    return result


def top(imports: list[Imported], n: int, *, by: str = "cumulative_ms") -> list[Imported]:
    return sorted(imports, key=lambda item: getattr(item, by), reverse=True)[:n]


def by_package(imports: list[Imported]) -> dict[str, float]:
    """Self time summed per top-level package: what each dependency costs in all."""
    totals: dict[str, float] = {}
    for item in imports:
        root = item.module.split(".")[0]
        totals[root] = totals.get(root, 0.0) + item.self_ms
    return dict(sorted(totals.items(), key=lambda kv: kv[1], reverse=True))


def render(title: str, rows: list[Imported]) -> str:
    lines = [title, f"  {'cumul ms':>9} {'self ms':>8}  module"]
    lines += [f"  {r.cumulative_ms:9.1f} {r.self_ms:8.1f}  {r.module}" for r in rows]
    return "\n".join(lines)
