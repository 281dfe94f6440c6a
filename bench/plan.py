"""The scenarios' requests, shared by the load (wrk scripts) and the statement capture."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import wrk


@dataclass(frozen=True)
class Req:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    bodies: list[str] = field(default_factory=list)
    idempotent: bool = False
    tokens: list[str] = field(default_factory=list)  # per body, when each has its own
    connections: int | None = None  # None: the run's --connections

    def lua(self, tmp: Path, name: str) -> Path:
        slug = "".join(c if c.isalnum() else "-" for c in name)
        return wrk.script(
            tmp, slug, self.method, self.headers, self.bodies, self.idempotent, self.tokens
        )


# Scenarios whose ceiling is not fieldedge's statements but the floor the issue names:
# login against a bare Argon2 verify at the same parameters and concurrency.
BARE = {
    "login": "argon2 verify only",
    "plans today (40 outlets)": "hand-written SQL",
    "plan compliance (50 reps x 30 days)": "hand-written SQL",
    "orders report (200,000 orders, a year by day)": "hand-written SQL",
}


def requests(world: dict[str, Any]) -> dict[str, Req]:
    auth = {"Authorization": f"Bearer {world['token']}"}
    rng = random.Random(7)
    visits = [
        json.dumps(
            {
                "contactId": c["id"],
                "latitude": c["latitude"],
                "longitude": c["longitude"],
                "accuracyM": 10,
            }
        )
        for c in world["contacts"]
    ]
    orders = [
        json.dumps(
            {
                "contactId": rng.choice(world["contacts"])["id"],
                "items": [
                    {"productId": p, "quantity": rng.randint(1, 9)} for p in world["products"]
                ],
            }
        )
        for _ in range(50)
    ]

    def crowd(which: str) -> Req:
        tokens, bodies = zip(*world["crowd"][which], strict=True)
        token0 = {"Authorization": f"Bearer {tokens[0]}"}
        n = len(tokens)
        return Req(
            "POST", "/api/v1/visits", token0, list(bodies), tokens=list(tokens), connections=n
        )

    return {
        "health": Req("GET", "/api/health/live"),
        "contact list (20)": Req("GET", "/api/v1/contacts?limit=20", auth),
        "check-in": Req("POST", "/api/v1/visits", auth, visits),
        "order create (3 lines)": Req("POST", "/api/v1/orders", auth, orders),
        "order create c16": Req("POST", "/api/v1/orders", auth, orders, connections=16),
        "idempotent order create c16": Req(
            "POST", "/api/v1/orders", auth, orders, idempotent=True, connections=16
        ),
        # Ceiling: the hash alone (BARE below), so this reads as login / bare verify.
        "login": Req("POST", "/api/v1/auth/login", {}, [json.dumps(world["login"])], connections=2),
        "check-in, 50 reps of one company": crowd("one"),
        "check-in, 50 reps of 50 companies": crowd("many"),
        **plan_requests(world),
        **report_requests(world),
    }


def plan_requests(world: dict[str, Any]) -> dict[str, Req]:
    """Issue 12's two: a rep's route of 40 outlets, and the manager's month of 50 reps
    (``bench/plan_world.py``); each against hand-written SQL (``bench/plan_ceiling.py``)."""
    plans = world["plans"]
    period = f"from={plans['from']}&to={plans['to']}"
    return {
        "plans today (40 outlets)": Req(
            "GET", "/api/v1/plans/today", {"Authorization": f"Bearer {plans['rep']}"}
        ),
        "plan compliance (50 reps x 30 days)": Req(
            "GET",
            f"/api/v1/plans/compliance?{period}",
            {"Authorization": f"Bearer {plans['manager']}"},
            connections=4,
        ),
    }


def report_requests(world: dict[str, Any]) -> dict[str, Req]:
    """Issue 14's orders report: a manager's year of 200,000 orders by local day
    (``bench/report_world.py``), against hand-written SQL (``bench/report_ceiling.py``)."""
    reports = world["reports"]
    period = f"from={reports['from']}&to={reports['to']}"
    return {
        "orders report (200,000 orders, a year by day)": Req(
            "GET",
            f"/api/v1/reports/orders?{period}&groupBy=day",
            {"Authorization": f"Bearer {reports['manager']}"},
            connections=4,
        ),
    }


def selected(world: dict[str, Any]) -> dict[str, Req]:
    """The scenarios of this run: all, or those whose name holds ``world["only"]`` (of the
    beat-plan and report scenarios, whose worlds are seeded for ``--only``)."""
    only = world.get("only")
    if only:
        bare = {**(plan_requests(world) if "plans" in world else {}),
                **(report_requests(world) if "reports" in world else {})}  # fmt: skip
        return {k: v for k, v in bare.items() if only in k}
    return requests(world)
