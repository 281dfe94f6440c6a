"""Convergence, property-based: for any interleaving of server edits (a manager editing,
reassigning, deleting contacts) and two reps' offline edits, creates and syncs, a final
push-then-pull leaves every replica holding exactly the server's rows in its scope.

The use cases run on the memory fake (``MemoryDatabase``), so hundreds of interleavings
take seconds; the fake is held to the SQL adapters by the port's contract suite.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from uuid import UUID

from contract.world import company, user
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakes import FixedClock, MemoryDatabase
from fieldedge import wire
from fieldedge.domain.access import Principal
from fieldedge.domain.company import Company
from fieldedge.domain.identity import Role, User
from fieldedge.domain.sync import Mutation
from fieldedge.http.sync_entities import registry
from fieldedge.ports.database import Reach, Scope
from fieldedge.services import contacts
from fieldedge.services.deps import Deps
from fieldedge.services.sync.pull import pull
from fieldedge.services.sync.push import push
from fixtures.app import make_deps
from fixtures.replica import Replica

FIELDS = ("city", "notes", "name")
VALUES = ("A", "B", "C")
REPS = ("rep1", "rep2")

steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("client_edit"),
            st.sampled_from(REPS),
            st.integers(0, 5),
            st.sampled_from(FIELDS),
            st.sampled_from(VALUES),
        ),
        st.tuples(
            st.just("server_edit"),
            st.integers(0, 5),
            st.sampled_from(FIELDS),
            st.sampled_from(VALUES),
        ),
        st.tuples(st.just("reassign"), st.integers(0, 5), st.sampled_from(REPS)),
        st.tuples(st.just("server_delete"), st.integers(0, 5)),
        st.tuples(st.just("client_create"), st.sampled_from(REPS)),
        st.tuples(st.just("client_delete"), st.sampled_from(REPS), st.integers(0, 5)),
        st.tuples(st.just("sync"), st.sampled_from(REPS)),
    ),
    max_size=25,
)


class World:
    def __init__(self, deps: Deps, company: Company, people: dict[str, User]) -> None:
        self.deps = deps
        self.company = company
        self.principals = {
            key: Principal(user_id=u.id, company_id=company.id, role=u.role)
            for key, u in people.items()
        }
        self.replicas = {rep: self.replica(rep) for rep in REPS}

    def replica(self, who: str) -> Replica:
        principal = self.principals[who]

        async def do_push(body: dict[str, Any]) -> dict[str, Any]:
            mutations = [
                Mutation(id=m["id"], entity=m["entity"], op=m["op"], entity_id=UUID(m["entityId"]),
                         base_version=m.get("baseVersion"), data=m.get("data", {}))
                for m in body["mutations"]
            ]  # fmt: skip
            pushed = await push(principal, UUID(body["clientId"]), mutations, registry(), self.deps)
            data = {"lastMutationId": pushed.last_mutation_id, "results": pushed.results}
            return dict(wire.loads(wire.dumps(data)))

        async def do_pull(body: dict[str, Any]) -> dict[str, Any]:
            pulled = await pull(principal, body["cursor"], body["limit"], registry(), self.deps)
            data = {"changes": pulled.changes, "cursor": pulled.cursor,
                    "hasMore": pulled.has_more}  # fmt: skip
            return dict(wire.loads(wire.dumps(data)))

        return Replica(do_push, do_pull)

    async def server_contacts(self, who: str) -> dict[str, dict[str, Any]]:
        owner = self.principals[who].user_id
        render = registry().renderers["contacts"]
        async with self.deps.db.unit_of_work(Scope.tenant(self.company.id)) as uow:
            rows = await uow.sync.snapshot(
                "contacts", _mine(owner), until=10**9, after=None, limit=10_000
            )
        return dict(wire.loads(wire.dumps({str(r["id"]): render(r) for r in rows})))

    async def ids(self) -> list[UUID]:
        async with self.deps.db.unit_of_work(Scope.tenant(self.company.id)) as uow:
            rows = await uow.sync.snapshot(
                "contacts", _everyone(), until=10**9, after=None, limit=10_000
            )
        return sorted(row["id"] for row in rows)


def _mine(owner: UUID) -> Reach:
    return Reach(contact_owners=frozenset({owner}), work_owners=frozenset({owner}))


def _everyone() -> Reach:
    return Reach(contact_owners=None, work_owners=None)


async def build(tmp: Path) -> World:
    db = MemoryDatabase()
    deps = make_deps(tmp, db, clock=FixedClock())
    firm = company()
    manager = user(firm.id, role=Role.MANAGER)
    people = {"mgr": manager, **{rep: user(firm.id, manager_id=manager.id) for rep in REPS}}
    async with db.unit_of_work(Scope.tenant(firm.id)) as uow:
        await uow.companies.add(firm)
        for person in people.values():
            await uow.users.add(person)
        await uow.commit()
    world = World(deps, firm, people)
    for i in range(6):
        owner = world.principals[REPS[i % 2]].user_id
        await contacts.create_contact(
            world.principals["mgr"], contacts.CreateContact(name=f"Contact {i}", owner_id=owner),
            deps,
        )  # fmt: skip
    for replica in world.replicas.values():
        await replica.sync()
    return world


async def run(world: World, plan: list[tuple[Any, ...]]) -> None:
    mgr = world.principals["mgr"]
    for step in plan:
        ids = await world.ids()
        kind = step[0]
        if kind == "client_edit":
            _, rep, i, name, value = step
            rows = sorted(world.replicas[rep].kind("contacts"))
            if rows:
                world.replicas[rep].edit("contact", rows[i % len(rows)], {name: value})
        elif kind == "client_delete":
            _, rep, i = step
            rows = sorted(world.replicas[rep].kind("contacts"))
            if rows:  # a rep may not delete: the push rejects it and the row comes back
                world.replicas[rep].delete("contact", rows[i % len(rows)])
        elif kind == "client_create":
            world.replicas[step[1]].create("contact", {"name": "Offline new"})
        elif kind == "sync":
            await world.replicas[step[1]].sync()
        elif ids and kind == "server_edit":
            _, i, name, value = step
            await contacts.update_contact(mgr, ids[i % len(ids)], {name: value}, world.deps)
        elif ids and kind == "reassign":
            _, i, rep = step
            owner = world.principals[rep].user_id
            await contacts.update_contact(mgr, ids[i % len(ids)], {"owner_id": owner}, world.deps)
        elif ids and kind == "server_delete":
            await contacts.delete_contact(mgr, ids[step[1] % len(ids)], world.deps)
        world.deps.clock.advance(1)  # type: ignore[attr-defined]


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
def test_push_then_pull_converges_every_replica(
    tmp_path: Path, plan: list[tuple[Any, ...]]
) -> None:
    async def scenario() -> None:
        world = await build(tmp_path)
        await run(world, plan)
        for rep, replica in world.replicas.items():
            await replica.sync()
            assert replica.kind("contacts") == await world.server_contacts(rep), plan
            assert not replica.queue

    asyncio.run(scenario())
