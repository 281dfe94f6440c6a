"""The demo company's beat plans: two beats per rep over their own contacts, planned
weekly by their manager across the demo week and the week ahead, so the day's route and
the compliance report have something to show (the demo visits were made at random
contacts of the rep's book, so some planned outlets are visited and some missed)."""

from __future__ import annotations

from datetime import date, timedelta

from fieldedge.domain.access import Principal
from fieldedge.domain.beats import Weekday
from fieldedge.domain.contacts import Contact
from fieldedge.domain.identity import User
from fieldedge.services.beats import CreateBeat, CreatePlan, create_beat, create_plan
from fieldedge.services.deps import Deps

STOPS = 8  # outlets per beat
BEATS = (
    ("North loop", (Weekday.MON, Weekday.WED, Weekday.FRI)),
    ("South loop", (Weekday.TUE, Weekday.THU, Weekday.SAT)),
)


async def seed_beats(deps: Deps, planned: list[tuple[User, Principal, list[Contact]]],
                     today: date) -> None:  # fmt: skip
    """For each (rep, who plans for them, their contacts), ``BEATS`` over those contacts,
    each planned weekly from a week before ``today`` to a week after."""
    for rep, manager, contacts in planned:
        for i, (name, days) in enumerate(BEATS):
            stops = [c.id for c in contacts[i * STOPS : (i + 1) * STOPS]]
            if not stops:
                continue
            cmd = CreateBeat(name=f"{rep.name}: {name}", contact_ids=stops, user_id=rep.id)
            beat = await create_beat(manager, cmd, deps)
            plan = CreatePlan(beat.id, weekdays=list(days), start_date=today - timedelta(days=7),
                              end_date=today + timedelta(days=7))  # fmt: skip
            await create_plan(manager, plan, deps)
