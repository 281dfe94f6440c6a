"""Push: a device's queued mutations, applied in order and once each.

One transaction per push. The device's client record (bound to the user who first
pushed from it) holds the last mutation id applied, written in the same transaction as
the data, so a push whose response was lost is answered from the stored results when it
is retried, and applies nothing twice. Each mutation runs in its own savepoint: one that
fails the rules is ``rejected`` with its error and leaves nothing behind, and the rest go
on. A dependency failing mid-push fails the whole push (nothing is kept; retry it whole).

Everything a push writes is stamped with one change-counter value when it commits, so
the company's write lock is held only for the push's final statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any
from uuid import UUID

from fieldedge import wire
from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.sync import Mutation, Outcome, SyncClient, merge
from fieldedge.errors import (
    Conflict,
    DependencyUnavailable,
    FieldedgeError,
    Forbidden,
    NotFound,
    OutOfOrder,
    ValidationFailed,
)
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.services.common import ID_UNUSABLE
from fieldedge.services.deps import Deps
from fieldedge.services.owned_photos import discard
from fieldedge.services.sync.entities import Create, Registry, Synced, SyncEntity


@dataclass(slots=True)
class Pushed:
    last_mutation_id: int
    results: list[dict[str, Any]]


@dataclass(slots=True)
class _Done:
    """One mutation's result (wire names), and the row it wrote (versioned at commit)."""

    result: dict[str, Any]
    written: Synced | None = None
    spec: SyncEntity | None = None
    unnamed: Sequence[str] = ()  # storage keys no row names once this commits


def _result(m: Mutation, status: Outcome, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": m.id, "status": status.value, "entityId": m.entity_id, "version": None,
        "conflicts": [], "record": None, "error": None,
    }  # fmt: skip
    result.update(fields)
    return result


def _error(exc: FieldedgeError) -> dict[str, Any]:
    error: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.details:
        error["details"] = exc.details
    return error


def _check_ids(mutations: Sequence[Mutation]) -> None:
    for before, after in pairwise(mutations):
        if after.id <= before.id:
            raise ValidationFailed(
                details={"mutations": ["Mutation ids must count up within a push."]}
            )


async def push(
    principal: Principal,
    client_id: UUID,
    mutations: Sequence[Mutation],
    registry: Registry,
    deps: Deps,
) -> Pushed:
    require(principal, Action.SYNC)
    _check_ids(mutations)
    now = deps.clock.now()
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        client = await uow.sync.client(client_id, lock=True)
        new_client = client is None
        if client is None:
            client = SyncClient(
                id=client_id,
                company_id=principal.tenant,
                user_id=principal.user_id,
                created_at=now,
                updated_at=now,
            )
            await uow.sync.add_client(client)
        elif client.user_id != principal.user_id:
            raise Forbidden("This clientId belongs to another user; make a new one.")
        last = client.last_mutation_id
        fresh = [m for m in mutations if m.id > last]
        previous = last
        for m in fresh:
            if m.id != previous + 1:
                raise OutOfOrder(
                    f"Mutation {previous + 1} is missing; the server has applied up to {last}.",
                    details={"lastMutationId": last},
                )
            previous = m.id
        done: list[_Done] = []
        for m in mutations:
            if m.id <= last:
                done.append(_Done(await _replayed(uow, client_id, m)))
                continue
            outcome = await _apply(uow, principal, registry, m, deps)
            await uow.sync.add_result(client_id, m.id, _stored(outcome), now)
            done.append(outcome)
        if fresh:
            client.last_mutation_id = fresh[-1].id
            client.updated_at = now
            await uow.sync.save_client(client)
        try:
            await uow.commit()
        except Conflict:
            if not new_client:
                raise
            # The id is another tenant's client (or a first push racing this one).
            raise Forbidden("This clientId belongs to another user; make a new one.") from None
    for outcome in done:
        for key in outcome.unnamed:  # committed: no row names them any more
            await discard(deps, key)
        if outcome.written is not None:
            outcome.result["version"] = outcome.written.version
            if outcome.spec is not None:  # the row as the server made it (number, flags)
                outcome.result["record"] = outcome.spec.render(outcome.written)
    return Pushed(client.last_mutation_id, [outcome.result for outcome in done])


def _stored(outcome: _Done) -> dict[str, Any]:
    """The result as kept for a replay: JSON, and 0 for "the push's own version"."""
    result = dict(outcome.result)
    if outcome.written is not None:
        result["version"] = 0
    jsonable: dict[str, Any] = wire.loads(wire.dumps(result))
    return jsonable


async def _replayed(uow: UnitOfWork, client_id: UUID, m: Mutation) -> dict[str, Any]:
    stored = await uow.sync.result(client_id, m.id)
    if stored is None:  # its result was swept (older than the retention): only the fact
        return _result(m, Outcome.DUPLICATE)
    return {**stored, "status": Outcome.DUPLICATE.value}


async def _apply(
    uow: UnitOfWork, principal: Principal, registry: Registry, m: Mutation, deps: Deps
) -> _Done:
    spec = registry.entities.get(m.entity)
    if spec is None:
        names = ", ".join(sorted(registry.entities))
        return _rejected(m, ValidationFailed(details={"entity": [f"One of: {names}."]}))
    if m.op not in spec.ops:
        ops = ", ".join(spec.ops)
        return _rejected(m, ValidationFailed(details={"op": [f"A {m.entity} takes: {ops}."]}))
    try:
        async with uow.savepoint():
            if m.op == "create":
                return await _create(uow, principal, spec, m, deps)
            if m.op == "update":
                return await _update(uow, principal, spec, m, deps)
            return await _delete(uow, principal, spec, m, deps)
    except DependencyUnavailable:
        raise  # the whole push fails, nothing is kept: the device retries it whole
    except Conflict as exc:
        if m.op == "create" and type(exc) is Conflict:
            # The id clashed on write: another tenant's row. Said as a bad id, no more.
            return _rejected(m, ValidationFailed(details={"entityId": [ID_UNUSABLE]}))
        return await _restoring(uow, principal, spec, m, exc)
    except FieldedgeError as exc:
        return await _restoring(uow, principal, spec, m, exc)


def _rejected(m: Mutation, exc: FieldedgeError) -> _Done:
    return _Done(_result(m, Outcome.REJECTED, error=_error(exc)))


async def _restoring(
    uow: UnitOfWork, principal: Principal, spec: SyncEntity, m: Mutation, exc: FieldedgeError
) -> _Done:
    """A rejected edit or delete of a row the caller sees carries the row as it is, so
    the device can put back what it changed locally."""
    done = _rejected(m, exc)
    if m.op == "create":
        return done
    try:
        row = await spec.load(uow, principal, m.entity_id)
    except NotFound:
        return done
    if row is not None and getattr(row, "deleted_at", None) is None:
        done.result["version"], done.result["record"] = row.version, spec.render(row)
    return done


def _as_is(spec: SyncEntity, m: Mutation, status: Outcome, row: Synced, **fields: Any) -> _Done:
    """A result that wrote nothing: the row's version and the row as it is."""
    return _Done(_result(m, status, version=row.version, record=spec.render(row), **fields))


async def _create(
    uow: UnitOfWork, principal: Principal, spec: SyncEntity, m: Mutation, deps: Deps
) -> _Done:
    if "id" in m.data:
        raise ValidationFailed(details={"data.id": ["Send the new row's id as entityId."]})
    try:
        existing = await spec.load(uow, principal, m.entity_id)
    except NotFound:  # someone else's row of this company: a bad id, no more said
        raise ValidationFailed(details={"entityId": [ID_UNUSABLE]}) from None
    if existing is not None:
        same = spec.same(existing, m.data)
        return _as_is(spec, m, Outcome.DUPLICATE if same else Outcome.CONFLICT, existing)
    entity = await spec.create(uow, principal, Create(m.entity_id, m.data, m.client_time), deps)
    return _Done(_result(m, Outcome.APPLIED), written=entity, spec=spec)


def _gone(m: Mutation, row: Synced) -> _Done:
    """An edit of a deleted row: deletes win. The device drops the row."""
    error = {"code": NotFound.code, "message": "The record was deleted."}
    return _Done(_result(m, Outcome.CONFLICT, version=row.version, error=error))


async def _update(
    uow: UnitOfWork, principal: Principal, spec: SyncEntity, m: Mutation, deps: Deps
) -> _Done:
    if m.base_version is None:
        raise ValidationFailed(details={"baseVersion": ["Required for an update."]})
    row = await spec.load(uow, principal, m.entity_id)
    if row is None:
        raise NotFound(f"No such {spec.name}.")
    if getattr(row, "deleted_at", None) is not None:
        return _gone(m, row)
    if m.base_version > row.version:
        # No pull ever showed this version: merging from it would take every field as
        # unchanged since, and silently overwrite edits the device never saw.
        why = f"Ahead of the row's version {row.version}: send the version you last pulled."
        raise ValidationFailed(details={"baseVersion": [why]})
    if spec.locked(row) or spec.update is None or spec.changes is None or spec.current is None:
        return _as_is(spec, m, Outcome.CONFLICT, row)
    changes = spec.changes(m.data)
    versions = await uow.sync.field_versions(spec.kind, row.id)
    merged = merge(spec.current(row), versions, row.version, m.base_version, changes)
    conflicts = [
        {"field": spec.wire(c.field), "serverValue": c.server_value, "clientValue": c.client_value}
        for c in merged.conflicts
    ]
    status = Outcome.CONFLICT if conflicts else Outcome.APPLIED
    if not merged.applied:
        return _as_is(spec, m, status, row, conflicts=conflicts)
    unnamed = await spec.update(uow, principal, row, merged.applied, deps)
    result = _result(m, status, conflicts=conflicts)
    return _Done(result, written=row, spec=spec, unnamed=unnamed or ())


async def _delete(
    uow: UnitOfWork, principal: Principal, spec: SyncEntity, m: Mutation, deps: Deps
) -> _Done:
    row = await spec.load(uow, principal, m.entity_id)
    if row is None:
        raise NotFound(f"No such {spec.name}.")
    if getattr(row, "deleted_at", None) is not None:
        return _Done(_result(m, Outcome.APPLIED, version=row.version))  # already gone
    if spec.locked(row) or spec.delete is None:
        return _as_is(spec, m, Outcome.CONFLICT, row)
    await spec.delete(uow, principal, row, deps)
    return _Done(_result(m, Outcome.APPLIED), written=row)
