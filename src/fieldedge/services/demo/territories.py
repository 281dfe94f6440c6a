"""The demo company's territory tree, through the territory use cases: one region, an
area per team's city (its manager assigned), and two territories in each area sharing
out the team's reps. A rep's contacts go in the rep's territory (``territory_of``)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from fieldedge.domain.access import Principal
from fieldedge.domain.identity import User
from fieldedge.services.deps import Deps
from fieldedge.services.territories import CreateTerritory, create_territory

REGION = "Maharashtra West"
# Each team city's two territories.
SPLIT = {"Pune": ("Pune City", "Pimpri-Chinchwad"), "Mumbai": ("Mumbai South", "Thane")}


@dataclass(frozen=True, slots=True)
class DemoTree:
    region: UUID
    reps: dict[UUID, UUID]  # rep -> the territory they are assigned to

    def territory_of(self, rep_id: UUID) -> UUID | None:
        return self.reps.get(rep_id)


async def seed_territories(
    deps: Deps, admin: Principal, team_city: dict[UUID, str], reps: list[User]
) -> DemoTree:
    """``team_city``: each manager's id and their team's city."""
    region = await create_territory(admin, CreateTerritory(REGION, kind="region"), deps)
    assigned: dict[UUID, UUID] = {}
    for manager_id, city in team_city.items():
        area = await create_territory(
            admin,
            CreateTerritory(city, kind="area", parent_id=region.id, rep_ids=[manager_id]),
            deps,
        )
        team = [rep.id for rep in reps if rep.manager_id == manager_id]
        names = SPLIT[city]
        for n, name in enumerate(names):
            share = team[n :: len(names)]  # reps alternate between the two
            cmd = CreateTerritory(name, parent_id=area.id, rep_ids=share)
            made = await create_territory(admin, cmd, deps)
            assigned |= dict.fromkeys(share, made.id)
    return DemoTree(region.id, assigned)
