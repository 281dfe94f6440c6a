"""Pull: a user's replica, as a first snapshot and then every change after a cursor.

Every version at or below the tenant's change counter, read before the queries run,
belongs to a committed write (writes are stamped in commit order), so "every row whose
version is in (after, until]" misses no concurrent writer and hands out nothing twice.

- A null cursor starts a snapshot: every row the user may see at or below the counter,
  kind by kind, paged by id; its end cursor is that counter, however many pages it took.
- A cursor then hands out, for (after, until]: the rows that left the user's scope (a
  contact reassigned away, a rep moved off the manager's team) and what hangs off them as
  ``deleted``; every changed row in scope, by (version, id), tombstones as ``deleted``; and
  the rows that entered the scope without changing themselves (the visits at a contact
  just assigned to the rep) as ``upserted``.

Pages are bounded by rows (``limit``) and by bytes (``SYNC_PAGE_MAX_BYTES``); a pull of
several pages reads up to the same ``until``, so its end cursor does not move under it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from fieldedge import wire
from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.identity import Role
from fieldedge.ports.database import SYNC_KINDS, USER_KINDS, Reach, Scope, UnitOfWork
from fieldedge.ports.records import Record
from fieldedge.services.deps import Deps
from fieldedge.services.sync import cursor as cursors
from fieldedge.services.sync.cursor import Position
from fieldedge.services.sync.entities import Registry
from fieldedge.services.visibility import contact_owners, work_owners

MAX_LIMIT = 500
EVERYTHING = Reach(contact_owners=None, work_owners=None)
# Rows that hang off a contact or a user that left the scope: read whole, not paged.
MAX_LEFT = 50_000


@dataclass(slots=True)
class Pulled:
    changes: dict[str, dict[str, list[Any]]]
    cursor: str
    has_more: bool
    server_time: datetime


@dataclass(slots=True)
class _Page:
    limit: int
    max_bytes: int
    registry: Registry
    changes: dict[str, dict[str, list[Any]]] = field(
        default_factory=lambda: {kind: {"upserted": [], "deleted": []} for kind in SYNC_KINDS}
    )
    rows: int = 0
    size: int = 0

    @property
    def room(self) -> int:
        return self.limit - self.rows

    def add(self, kind: str, row: Record, live: bool) -> bool:
        """Put ``row`` on the page; False (and nothing put) when the bytes are spent."""
        item: Any = self.registry.renderers[kind](row) if live else row["id"]
        size = len(wire.dumps(item)) + 1
        if self.rows and self.size + size > self.max_bytes:
            return False
        self.changes[kind]["upserted" if live else "deleted"].append(item)
        self.rows += 1
        self.size += size
        return True


@dataclass(frozen=True, slots=True)
class _Stage:
    kind: str
    fetch: Callable[[Any, int], Awaitable[Sequence[Record]]]
    resume: Callable[[Record], Any]
    live: Callable[[Record], bool]


async def reach_of(uow: UnitOfWork, principal: Principal) -> Reach:
    """What the user's replica holds: what the user may read, as the REST lists say."""
    owners = await work_owners(uow, principal)
    rep = principal.role is Role.SALES_REP
    return Reach(
        contact_owners=contact_owners(principal),
        work_owners=owners,
        contacts_of=principal.user_id if rep else None,
        active_products=rep,
        users=frozenset({principal.user_id}) if rep else owners,
    )


def _by_id(row: Record) -> Any:
    return str(row["id"])


def _by_version(row: Record) -> Any:
    return [int(row["version"]), str(row["id"])]


def _key(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return (int(value[0]), UUID(value[1]))
    return UUID(value)


def _live(reach: Reach) -> Callable[[str], Callable[[Record], bool]]:
    def live(kind: str) -> Callable[[Record], bool]:
        def test(row: Record) -> bool:
            if row.get("deleted_at") is not None:
                return False
            return not (kind == "products" and reach.active_products and not row["active"])

        return test

    return live


async def pull(
    principal: Principal, cursor: str | None, limit: int, registry: Registry, deps: Deps
) -> Pulled:
    require(principal, Action.SYNC)
    now = deps.clock.now()
    key = cursors.cursor_key(deps.settings.jwt_key)
    retention = timedelta(days=deps.settings.sync_retention_days)
    position = (
        cursors.read(key, cursor, principal, now=now, retention=retention) if cursor else None
    )
    page = _Page(min(max(limit, 1), MAX_LIMIT), deps.settings.sync_page_max_bytes, registry)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        reach = await reach_of(uow, principal)
        if position is None:
            position = Position(
                company=str(principal.tenant),
                user=str(principal.user_id),
                after=0,
                reached=now.timestamp(),
                snapshot=True,
                until=await uow.companies.change_counter(),
            )
        elif position.until is None:
            position.until = await uow.companies.change_counter()
            position.stage, position.key = 0, None
            await _left_scope(uow, principal, reach, position, page)
        stages = (
            _snapshot(uow, reach, position) if position.snapshot else
            await _incremental(uow, principal, reach, position)
        )  # fmt: skip
        finished = await _fill(page, stages, position)
    if finished:
        position = Position(
            company=position.company,
            user=position.user,
            after=position.until or 0,
            reached=now.timestamp() if not position.snapshot else position.reached,
        )
    return Pulled(page.changes, cursors.write(key, position), not finished, now)


async def _fill(page: _Page, stages: Sequence[_Stage], position: Position) -> bool:
    """Fill ``page`` from ``stages``, starting where ``position`` says; move it on.
    True when every stage is exhausted."""
    while position.stage < len(stages):
        stage = stages[position.stage]
        while True:
            room = page.room
            if room <= 0:
                return False
            rows = await stage.fetch(_key(position.key), room)
            for row in rows:
                if not page.add(stage.kind, row, stage.live(row)):
                    return False
                position.key = stage.resume(row)
            if len(rows) < room:
                break
        position.stage, position.key = position.stage + 1, None
    return True


def _snapshot(uow: UnitOfWork, reach: Reach, position: Position) -> list[_Stage]:
    until = position.until or 0
    live = _live(reach)

    def stage(kind: str) -> _Stage:
        async def fetch(after: Any, n: int) -> Sequence[Record]:
            return await uow.sync.snapshot(kind, reach, until=until, after=after, limit=n)

        return _Stage(kind, fetch, _by_id, live(kind))

    return [stage(kind) for kind in SYNC_KINDS]


@dataclass(frozen=True, slots=True)
class _Moves:
    """Net moves of the scope in (after, until]: contacts and users gained and lost."""

    gained_contacts: list[UUID]
    lost_contacts: list[UUID]
    gained_users: list[UUID]
    lost_users: list[UUID]


async def _moves(uow: UnitOfWork, principal: Principal, reach: Reach, position: Position) -> _Moves:
    changes = await uow.sync.scope_changes(
        principal.user_id, after=position.after, until=position.until or 0
    )
    net: dict[tuple[str, UUID], bool] = {}
    for change in changes:  # in version order: the last move of each row is where it is
        net[(change.kind, change.subject_id)] = change.gained_by == principal.user_id
    # A contact's owner matters only to a replica narrowed by owner (a rep's); a rep's
    # manager only to one narrowed by team (a manager's).
    contacts = reach.contact_owners is not None
    users = reach.work_owners is not None and principal.role is Role.MANAGER
    moved = _Moves([], [], [], [])
    for (kind, subject), gained in net.items():
        if kind == "contact" and contacts:
            (moved.gained_contacts if gained else moved.lost_contacts).append(subject)
        elif kind == "user" and users:
            (moved.gained_users if gained else moved.lost_users).append(subject)
    return moved


async def _left_scope(
    uow: UnitOfWork, principal: Principal, reach: Reach, position: Position, page: _Page
) -> None:
    """The rows that left the scope in (after, until], as ``deleted``; on the first page
    of a pull (ids only: small, and not paged)."""
    moved = await _moves(uow, principal, reach, position)
    if not moved.lost_contacts and not moved.lost_users:
        return
    contacts, users = moved.lost_contacts, moved.lost_users
    mine = principal.user_id
    gone: dict[str, list[UUID]] = {kind: [] for kind in SYNC_KINDS}
    gone["contacts"] += contacts
    gone["users"] += users
    visits = await _belonging(uow, "visits", contacts, users)
    # A rep keeps their own visits at a contact that left them; a manager keeps nothing
    # of a rep who left the team.
    lost_visits = {row["id"] for row in visits if row["user_id"] != mine or row["user_id"] in users}
    gone["visits"] += sorted(lost_visits)
    for row in await _belonging(uow, "photos", contacts, users):
        if row["visit_id"] in lost_visits:
            gone["photos"].append(row["id"])
    if users:
        # Every kind a user owns leaves with its user (USER_KINDS: their ``user_id``).
        for kind in USER_KINDS:
            gone[kind] += [row["id"] for row in await _belonging(uow, kind, (), users)]
    for kind, ids in gone.items():
        page.changes[kind]["deleted"].extend(ids)
        page.rows += len(ids)


async def _belonging(
    uow: UnitOfWork, kind: str, contacts: Collection[UUID], users: Collection[UUID]
) -> Sequence[Record]:
    return await uow.sync.belonging(
        kind, EVERYTHING, contacts=contacts, users=users, skip=(0, 0), after=None, limit=MAX_LEFT
    )


async def _incremental(
    uow: UnitOfWork, principal: Principal, reach: Reach, position: Position
) -> list[_Stage]:
    after, until = position.after, position.until or 0
    live = _live(reach)
    moved = await _moves(uow, principal, reach, position)

    def changed(kind: str) -> _Stage:
        async def fetch(key: Any, n: int) -> Sequence[Record]:
            return await uow.sync.changed(kind, reach, after=after, until=until, key=key, limit=n)

        return _Stage(kind, fetch, _by_version, live(kind))

    def entered(kind: str) -> _Stage:
        async def fetch(key: Any, n: int) -> Sequence[Record]:
            if not moved.gained_contacts and not moved.gained_users:
                return []
            return await uow.sync.belonging(
                kind,
                reach,
                contacts=moved.gained_contacts,
                users=moved.gained_users,
                skip=(after, until),  # those changed in the range are handed out already
                after=key,
                limit=n,
            )

        return _Stage(kind, fetch, _by_id, live(kind))

    return [changed(kind) for kind in SYNC_KINDS] + [entered(kind) for kind in SYNC_KINDS]
