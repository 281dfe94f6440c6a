"""A month against target is rendered by hand (its percentages are ``Decimal``s made
JSON numbers); the JSON must be what ``RepMonthOut`` and ``TeamMonthOut`` themselves
dump, so the document cannot drift from what is sent."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from fieldedge import wire
from fieldedge.domain.identity import Role, User
from fieldedge.domain.targets import Figures, Progress, Target
from fieldedge.http.routes.targets_schemas import RepMonthOut, TeamMonthOut, rep_month, team_month
from fieldedge.services.targets import RepMonth, TeamMonth

NOW = datetime(2026, 12, 4, 5, 6, 7, 891011, tzinfo=UTC)


def _month(target: bool) -> RepMonth:
    company = uuid4()
    rep = User(id=uuid4(), company_id=company, email="r@example.com", name="Ravi",
               role=Role.SALES_REP, created_at=NOW, updated_at=NOW)  # fmt: skip
    aim = Target(id=uuid4(), company_id=company, user_id=rep.id, month="2026-12",
                 order_value=2_000, collections=0, visits=3, new_contacts=8, set_by=uuid4(),
                 version=4, created_at=NOW, updated_at=NOW)  # fmt: skip
    achieved = Figures(order_value=1_749, collections=10, visits=2, new_contacts=1)
    return RepMonth(rep, "2026-12", aim if target else None,
                    Progress(aim.figures if target else None, achieved))  # fmt: skip


def test_a_reps_month_is_its_models_dump() -> None:
    for target in (True, False):
        sent = wire.loads(wire.dumps(rep_month(_month(target))))
        assert sent == RepMonthOut.model_validate(sent).model_dump(mode="json", by_alias=True)
    sent = wire.loads(wire.dumps(rep_month(_month(True))))
    assert sent["orderValue"] == {"target": 2_000, "achieved": 1_749, "percent": 87.5}
    assert sent["collections"] == {"target": 0, "achieved": 10, "percent": None}
    assert sent["newContacts"]["percent"] == 12.5


def test_a_teams_month_is_its_models_dump() -> None:
    reps = [_month(True), _month(False)]
    total = Progress(reps[0].progress.target, reps[0].progress.achieved + reps[1].progress.achieved)
    sent = wire.loads(wire.dumps(team_month(TeamMonth("2026-12", reps, total))))
    assert sent == TeamMonthOut.model_validate(sent).model_dump(mode="json", by_alias=True)
    assert sent["team"]["visits"] == {"target": 3, "achieved": 4, "percent": 133.3}
