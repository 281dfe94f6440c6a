"""The ratio chart: fieldedge/ceiling req/s per scenario (median, min-max of the rounds'
ratios as whiskers), with the issue's goal marked where it has one. matplotlib is in the
``bench`` extra; the PNG is written beside ``bench/RESULTS.md``."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any


def ratios(sides: dict[str, list[dict[str, Any]]]) -> list[float]:
    """Each round's fieldedge/ceiling (a round's two points ran back to back)."""
    pairs = zip(sides["fieldedge"], sides["ceiling"], strict=True)
    return [app["rps"] / ceiling["rps"] for app, ceiling in pairs]


def write(
    path: Path,
    title: str,
    results: dict[str, dict[str, list[dict[str, Any]]]],
    goals: dict[str, float],
) -> Path:
    import matplotlib

    matplotlib.use("Agg")  # no display: a file only
    import matplotlib.pyplot as plt

    names = list(results)
    per = [ratios(results[name]) for name in names]
    mid = [statistics.median(r) for r in per]
    low = [m - min(r) for m, r in zip(mid, per, strict=True)]
    high = [max(r) - m for m, r in zip(mid, per, strict=True)]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(names) + 1.5))
    ax.barh(names, mid, xerr=[low, high], color="#4878a8", capsize=3)
    for i, name in enumerate(names):
        ax.text(mid[i], i, f" {mid[i]:.2f}", va="center", ha="left", fontsize=8)
        if name in goals:
            ax.plot([goals[name]] * 2, [i - 0.4, i + 0.4], color="#c03030", linewidth=2)
    ax.axvline(1.0, color="grey", linewidth=0.8, linestyle="--")
    ax.invert_yaxis()
    ax.set_xlabel("fieldedge / ceiling req/s (red: the issue's goal)")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
