"""A small world on the memory fake, for use cases tested as use cases.

One company with two teams (the shape the HTTP tests use)::

    admin
    mgr_a ── rep_a1, rep_a2
    mgr_b ── rep_b1

stored straight through the port (no use case, no hash: ``with_password`` sets one for
the tests that log in), a ``Principal`` for each of them, and readers of what the use
cases left behind: audit entries, queued outbox events and emails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from contract.world import company, contact, product, store, user

from fakes import FixedClock, MemoryDatabase
from fakes.store import AUDIT, OUTBOX, SCOPE_LOG
from fieldedge.domain.access import Principal
from fieldedge.domain.audit import AuditEntry
from fieldedge.domain.company import Company
from fieldedge.domain.contacts import Contact
from fieldedge.domain.identity import Role, User
from fieldedge.domain.outbox import OutboxEvent
from fieldedge.domain.products import Product
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.services.deps import Deps

PUNE = (18.5204, 73.8567)
PASSWORD = "a long passphrase 42"
TEAM = {"rep_a1": "mgr_a", "rep_a2": "mgr_a", "rep_b1": "mgr_b"}


@dataclass
class World:
    deps: Deps
    clock: FixedClock
    company: Company
    people: dict[str, User]

    @property
    def db(self) -> MemoryDatabase:
        db = self.deps.db
        assert isinstance(db, MemoryDatabase)
        return db

    @property
    def id(self) -> UUID:
        return self.company.id

    def as_(self, who: str) -> Principal:
        person = self.people[who]
        return Principal(user_id=person.id, company_id=person.company_id, role=person.role)

    def uow(self) -> UnitOfWork:
        return self.deps.db.unit_of_work(Scope.tenant(self.id))

    async def add_user(self, key: str, role: Role, **fields: Any) -> User:
        person = user(self.id, role=role, name=key.replace("_", " ").title(), **fields)
        await store(self.deps.db, Scope.tenant(self.id), person)
        self.people[key] = person
        return person

    async def with_password(self, who: str, password: str = PASSWORD) -> User:
        async with self.uow() as uow:
            person = await uow.users.get(self.people[who].id)
            assert person is not None
            person.password_hash = await self.deps.passwords.hash(password)
            await uow.users.save(person)
            await uow.commit()
        return person

    async def contact(self, owner: str | None = "rep_a1", **fields: Any) -> Contact:
        """A stored contact at Pune (owned by ``owner``; None: nobody's)."""
        values = {"latitude": PUNE[0], "longitude": PUNE[1], **fields}
        owner_id = self.people[owner].id if owner else None
        row = contact(self.id, owner_id=owner_id, **values)
        await store(self.deps.db, Scope.tenant(self.id), row)
        return row

    async def product(self, **fields: Any) -> Product:
        row = product(self.id, **{"unit_price": 1250, "tax_rate_bp": 1800, **fields})
        await store(self.deps.db, Scope.tenant(self.id), row)
        return row

    async def user(self, who: str) -> User:
        async with self.uow() as uow:
            person = await uow.users.get(self.people[who].id)
        assert person is not None
        return person

    # --- what the use cases left behind -----------------------------------------------

    async def assert_tombstone(self, kind: str, row_id: UUID) -> None:
        """``row_id`` of ``kind`` (contact, product) is kept, deleted now, and audited."""
        async with self.uow() as uow:
            repo = uow.contacts if kind == "contact" else uow.products
            tomb = await repo.get(row_id, include_deleted=True)
        assert tomb is not None
        assert tomb.deleted_at == self.clock.now()
        assert self.actions()[-1] == f"{kind}.deleted"

    def audit(self, *, platform: bool = False) -> list[AuditEntry]:
        """Committed audit entries of this company's chain (the platform's), oldest first."""
        chain = None if platform else self.id
        rows = [r for r in self.db.store.table(AUDIT).values() if r["company_id"] == chain]
        return [AuditEntry.load(row) for row in sorted(rows, key=lambda r: r["id"])]

    def actions(self, *, platform: bool = False) -> list[str]:
        return [entry.action for entry in self.audit(platform=platform)]

    def events(self, kind: str | None = None) -> list[OutboxEvent]:
        """Every committed outbox event (any tenant), oldest first."""
        rows = sorted(self.db.store.table(OUTBOX).values(), key=lambda r: r["id"])
        events = [OutboxEvent.load(row) for row in rows]
        return [event for event in events if kind is None or event.kind == kind]

    def scope_log(self) -> list[tuple[str, UUID, UUID | None, UUID | None]]:
        """Sync's scope changes: (kind, subject, lost by, gained by), oldest first."""
        rows = sorted(self.db.store.table(SCOPE_LOG).values(), key=lambda r: r["id"])
        return [(r["kind"], r["subject_id"], r["lost_by"], r["gained_by"]) for r in rows]

    def emails(self, template: str | None = None) -> list[dict[str, Any]]:
        """The payloads of queued emails (``template``'s only, when given)."""
        payloads = [event.payload for event in self.events("email")]
        return [p for p in payloads if template is None or p["template"] == template]


async def build_world(deps: Deps, clock: FixedClock, name: str = "Acme Pharma") -> World:
    firm = company(name=name)
    await store(deps.db, Scope.tenant(firm.id), firm)
    world = World(deps, clock, firm, {})
    await world.add_user("admin", Role.ADMIN)
    for key in ("mgr_a", "mgr_b"):
        await world.add_user(key, Role.MANAGER)
    for key, manager in TEAM.items():
        await world.add_user(key, Role.SALES_REP, manager_id=world.people[manager].id)
    return world
