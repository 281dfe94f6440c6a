"""The compliance report over HTTP against the hand-built month (``fixtures.plan_month``)
on every backend, and what it costs the database: the same statements whatever the
number of reps and days, the report itself one statement."""

from __future__ import annotations

from uuid import UUID

import pytest

from fieldedge.ports.database import Database
from fixtures.plan_month import ZONE, Month, build_month

from .conftest import Team
from .test_statements import counted, kinds, quiet

__all__ = ["quiet"]
POSTGRES = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
DECEMBER = {"from": "2026-12-01", "to": "2026-12-31"}


async def month_of(team: Team, db: Database) -> Month:
    changed = await team.patch("admin", "/api/v1/company", {"timezone": ZONE})
    assert changed.status_code == 200, changed.text
    ids = team.ids
    return await build_month(db, UUID(team.company_id), UUID(ids["rep_a1"]), UUID(ids["rep_a2"]),
                             UUID(ids["rep_b1"]))  # fmt: skip


async def test_the_report_matches_the_hand_built_month(team: Team, db: Database) -> None:
    month = await month_of(team, db)
    response = await team.get("mgr_a", "/api/v1/plans/compliance", **DECEMBER)
    assert response.status_code == 200, response.text
    report = response.json()["data"]
    got = {
        (UUID(r["userId"]), r["day"]): (
            r["planned"], r["visited"], r["productive"], r["compliance"], r["strikeRate"],
        )
        for r in report["days"]
    }  # fmt: skip
    expected = {(u, d.isoformat()): v for (u, d), v in month.expected.items() if u != month.rep3}
    assert got == expected
    totals = {UUID(r["userId"]): r for r in report["reps"]}
    # rep 1: 13 days x 4 planned + 1 extra on 2 Dec; 2 + 3 + 1 visited; 1 + 1 productive.
    rep1 = totals[month.rep1]
    assert (rep1["planned"], rep1["visited"], rep1["productive"]) == (53, 6, 2)
    assert (rep1["compliance"], rep1["strikeRate"]) == (11.3, 33.3)
    rep2 = totals[month.rep2]
    assert (rep2["planned"], rep2["visited"], rep2["productive"]) == (9, 5, 4)
    assert (rep2["compliance"], rep2["strikeRate"]) == (55.6, 80.0)
    everyone = await team.get("admin", "/api/v1/plans/compliance", **DECEMBER)
    assert {r["userId"] for r in everyone.json()["data"]["reps"]} == {
        str(month.rep1), str(month.rep2), str(month.rep3),
    }  # fmt: skip
    theirs = await team.get("mgr_b", "/api/v1/plans/compliance", **DECEMBER,
                            userId=str(month.rep1))  # fmt: skip
    assert theirs.json()["data"]["days"] == []


@POSTGRES
async def test_the_report_is_one_statement_whatever_the_reps_and_days(
    quiet: Team, db: Database
) -> None:
    await month_of(quiet, db)

    async def report(who: str, **query: str) -> list[str]:
        return kinds(await counted(db, lambda: quiet.get(who, "/api/v1/plans/compliance", **query)))

    one_rep_one_day = await report("mgr_a", userId=quiet.ids["rep_a1"], **{"from": "2026-12-02",
                                   "to": "2026-12-02"})  # fmt: skip
    team_month = await report("mgr_a", **DECEMBER)
    everyone_quarter = await report("admin", **{"from": "2026-11-01", "to": "2026-12-31"})
    # scope; the manager's team; the company (its time zone); the report; done.
    assert team_month == ["BEGIN", "SELECT", "SELECT", "WITH", "ROLLBACK"], team_month
    assert one_rep_one_day == team_month
    assert everyone_quarter == ["BEGIN", "SELECT", "WITH", "ROLLBACK"]  # an ADMIN: no team
