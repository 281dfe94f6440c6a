"""Printing what the bench found: per-handler timings, the ratio to the goal, importers."""

from __future__ import annotations

import statistics
from typing import Any

import importtime

# Import + first request, as a multiple of each yardstick: issue 2 set 3x the bare
# Starlette + Mangum handler; issue 9 set 1.5x the same handler once it loads SQLAlchemy.
GOALS = {"bare": 3.0, "bare+sqlalchemy": 1.5}
FIGURES = [
    ("import_s", "import"),
    ("first_s", "first request"),
    ("total_s", "total"),
    ("process_s", "process wall"),
]


def _summary(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return f"{statistics.median(ms):8.1f} ms  (min {min(ms):7.1f}, max {max(ms):7.1f})"


def _paired(handler: list[dict[str, Any]], other: list[dict[str, Any]], key: str) -> float:
    """Each round's processes ran back to back, so a round's ratio cancels most of the
    load other work put on the machine at that moment."""
    return statistics.median(h[key] / o[key] for h, o in zip(handler, other, strict=True))


def timings(results: dict[str, list[dict[str, Any]]], modules: dict[str, str]) -> None:
    medians: dict[str, dict[str, float]] = {}
    for name, runs in results.items():
        for one in runs:
            one["total_s"] = one["import_s"] + one["first_s"]
        print(f"\n{name} ({modules[name]}), {len(runs)} fresh processes")
        medians[name] = {}
        for key, label in FIGURES:
            values = [one[key] for one in runs]
            medians[name][key] = statistics.median(values)
            print(f"  {label:<14}{_summary(values)}")
        print(f"  loaded after first request: {', '.join(runs[-1]['loaded']) or 'none'}")
    for other in ("bare", "bare+sqlalchemy"):
        if other not in medians:
            continue
        print(f"\nratio handler/{other}: of the medians | median of per-round ratios")
        for key, label in FIGURES[:3]:
            of_medians = medians["handler"][key] / medians[other][key]
            paired = _paired(results["handler"], results[other], key)
            print(f"  {label:<14}{of_medians:6.2f}x | {paired:6.2f}x")
    for other, goal in GOALS.items():
        if other not in medians:
            continue
        total = medians["handler"]["total_s"] / medians[other]["total_s"]
        verdict = "within" if total <= goal else "OVER"
        print(f"goal: handler total within {goal}x of {other} -> {verdict} ({total:.2f}x)")


def imports(title: str, found: list[importtime.Imported], n: int) -> None:
    total = sum(item.self_ms for item in found)
    heading = f"{title}: {len(found)} modules, {total:.1f} ms self; top {n} by cumulative"
    print("\n" + importtime.render(heading, importtime.top(found, n)))
    print(f"self time per top-level package, top {n}")
    for package, ms in list(importtime.by_package(found).items())[:n]:
        print(f"  {ms:9.1f}  {package}")
