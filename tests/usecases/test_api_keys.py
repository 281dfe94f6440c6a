"""API-key use cases on the memory fake: who may make keys, the secret's shape and
hash, lookup by prefix, scopes against actions, expiry, revocation, rotation's grace,
``lastUsedAt`` at most once a minute, and the key's id on the audit entries of what it
wrote. Over HTTP (both headers, identity routes, rate limits) in tests/http."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

import pytest

from fakes.store import API_KEYS
from fieldedge.domain.access import KEY_SCOPE, SCOPES, Action, Principal, require
from fieldedge.domain.company import CompanyStatus
from fieldedge.errors import Forbidden, InvalidToken, NotFound, TokenExpired, ValidationFailed
from fieldedge.services import api_keys, contacts
from fieldedge.services.auth import api_key
from fieldedge.services.security.api_key_secrets import hash_secret, prefix_of

from .world import World


async def issue(
    world: World, *scopes: str, expires_at: datetime | None = None
) -> api_keys.IssuedKey:
    cmd = api_keys.CreateKey("ERP sync", list(scopes) or ["contacts:write"], expires_at)
    return await api_keys.create_key(world.as_("admin"), cmd, world.deps)


async def sign_in(
    world: World, secret: str, values: tuple[bytes | None, ...] = (None, b"1")
) -> Principal:
    """Find and admit (the KV's answers: no suspension mark, used this minute)."""
    caller = await api_key.find(secret, world.deps)
    return await api_key.admit(caller, world.deps, values)


async def test_only_an_admin_makes_keys(world: World) -> None:
    for who in ("mgr_a", "rep_a1"):
        with pytest.raises(Forbidden):
            await api_keys.create_key(
                world.as_(who), api_keys.CreateKey("x", ["contacts:read"]), world.deps
            )


async def test_the_secret_is_shown_once_and_stored_only_as_its_keyed_hash(world: World) -> None:
    issued = await issue(world, "orders:read")
    secret = issued.secret
    assert secret.startswith("fe_live_")
    assert len(base64.urlsafe_b64decode(secret.removeprefix("fe_live_") + "=")) == 32
    row = next(iter(world.db.store.table(API_KEYS).values()))
    assert secret not in repr(row)
    assert row["secret_hash"] == hash_secret(secret, world.deps.settings.jwt_key)
    assert row["prefix"] == prefix_of(secret) == secret[8:20]
    assert row["secret_hash"] != hash_secret(secret, "another server secret of 32 bytes!")
    assert world.actions()[-1] == "api_key.created"


async def test_two_keys_never_share_a_secret_or_prefix(world: World) -> None:
    a, b = await issue(world), await issue(world)
    assert a.secret != b.secret
    assert a.key.prefix != b.key.prefix


@pytest.mark.parametrize(
    "scopes", [["contacts:delete"], ["users:read"], [], ["Contacts:read"]], ids=str
)
async def test_unknown_or_no_scopes_are_refused(world: World, scopes: list[str]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await api_keys.create_key(world.as_("admin"), api_keys.CreateKey("x", scopes), world.deps)
    assert "scopes" in (caught.value.details or {})


async def test_an_expiry_in_the_past_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed):
        await issue(world, expires_at=world.clock.now())


async def test_a_key_is_a_company_wide_principal_limited_by_its_scopes(world: World) -> None:
    issued = await issue(world, "contacts:write", "orders:read")
    principal = await sign_in(world, issued.secret)
    assert principal.company_id == world.id
    assert principal.api_key_id == issued.key.id
    assert principal.user_id == world.people["admin"].id  # the actor of what it writes
    require(principal, Action.CONTACT_READ)  # write includes read
    require(principal, Action.CONTACT_DELETE)
    require(principal, Action.ORDER_READ)
    with pytest.raises(Forbidden, match="orders:write"):
        require(principal, Action.ORDER_CREATE)
    with pytest.raises(Forbidden, match="payments:read"):
        require(principal, Action.PAYMENT_READ)


@pytest.mark.parametrize("action", [a for a in Action if a not in KEY_SCOPE], ids=str)
async def test_actions_outside_the_scope_map_are_never_a_keys(world: World, action: Action) -> None:
    every = await issue(world, *sorted(SCOPES))
    principal = await sign_in(world, every.secret)
    with pytest.raises(Forbidden, match="API key may not"):
        require(principal, action)


@pytest.mark.parametrize(
    "secret",
    [
        "fe_live_",
        "fe_live_" + "A" * 42,  # one character short
        "fe_live_" + "A" * 43,  # well-formed, no such key
        "fe_test_" + "A" * 43,
    ],
)
async def test_a_secret_that_names_no_key_is_401(world: World, secret: str) -> None:
    await issue(world)
    with pytest.raises(InvalidToken):
        await api_key.find(secret, world.deps)


async def test_a_wrong_secret_with_a_real_prefix_is_401(world: World) -> None:
    issued = await issue(world)
    last = issued.secret[-1]
    forged = issued.secret[:-1] + ("B" if last != "B" else "C")
    assert prefix_of(forged) == issued.key.prefix
    with pytest.raises(InvalidToken, match="not valid"):
        await api_key.find(forged, world.deps)


async def test_an_expired_key_is_token_expired(world: World) -> None:
    issued = await issue(world, expires_at=world.clock.now() + timedelta(hours=1))
    await sign_in(world, issued.secret)
    world.clock.advance(3600)
    with pytest.raises(TokenExpired):
        await api_key.find(issued.secret, world.deps)


async def test_a_revoked_key_stops_at_once_and_revoking_again_changes_nothing(
    world: World,
) -> None:
    issued = await issue(world)
    await sign_in(world, issued.secret)
    revoked = await api_keys.revoke_key(world.as_("admin"), issued.key.id, world.deps)
    assert revoked.revoked_at == world.clock.now()
    with pytest.raises(InvalidToken, match="revoked"):
        await api_key.find(issued.secret, world.deps)
    world.clock.advance(5)
    again = await api_keys.revoke_key(world.as_("admin"), issued.key.id, world.deps)
    assert again.revoked_at == revoked.revoked_at
    assert world.actions().count("api_key.revoked") == 1
    with pytest.raises(ValidationFailed):
        await api_keys.rotate_key(world.as_("admin"), issued.key.id, timedelta(0), world.deps)


async def test_rotation_keeps_the_old_secret_for_the_grace_period_only(world: World) -> None:
    old = await issue(world)
    new = await api_keys.rotate_key(world.as_("admin"), old.key.id, timedelta(hours=2), world.deps)
    assert new.secret != old.secret
    assert new.key.id == old.key.id
    assert new.key.previous_prefix == old.key.prefix
    assert (await sign_in(world, old.secret)).api_key_id == old.key.id
    assert (await sign_in(world, new.secret)).api_key_id == old.key.id
    world.clock.advance(2 * 3600)
    with pytest.raises(InvalidToken):
        await api_key.find(old.secret, world.deps)
    assert (await sign_in(world, new.secret)).api_key_id == old.key.id
    assert world.actions()[-1] == "api_key.rotated"


async def test_rotation_without_grace_ends_the_old_secret_now(world: World) -> None:
    old = await issue(world)
    await api_keys.rotate_key(world.as_("admin"), old.key.id, timedelta(0), world.deps)
    with pytest.raises(InvalidToken):
        await api_key.find(old.secret, world.deps)


@pytest.mark.parametrize("grace", [timedelta(days=7, seconds=1), timedelta(seconds=-1)])
async def test_a_grace_over_seven_days_or_negative_is_refused(
    world: World, grace: timedelta
) -> None:
    old = await issue(world)
    with pytest.raises(ValidationFailed):
        await api_keys.rotate_key(world.as_("admin"), old.key.id, grace, world.deps)


async def test_two_rotations_leave_only_the_latest_two_secrets(world: World) -> None:
    first = await issue(world)
    admin, day = world.as_("admin"), timedelta(days=1)
    second = await api_keys.rotate_key(admin, first.key.id, day, world.deps)
    third = await api_keys.rotate_key(admin, first.key.id, day, world.deps)
    with pytest.raises(InvalidToken):
        await api_key.find(first.secret, world.deps)
    await sign_in(world, second.secret)
    await sign_in(world, third.secret)


async def test_last_used_is_written_at_most_once_a_minute(world: World) -> None:
    issued = await issue(world)

    async def use() -> None:
        caller = await api_key.find(issued.secret, world.deps)
        values = await world.deps.kv.get_many(caller.marks)
        await api_key.admit(caller, world.deps, values)

    first = world.clock.now()
    await use()
    world.clock.advance(30)
    await use()
    key = await api_keys.get_key(world.as_("admin"), issued.key.id, world.deps)
    assert key.last_used_at == first
    world.clock.advance(31)
    await use()
    key = await api_keys.get_key(world.as_("admin"), issued.key.id, world.deps)
    assert key.last_used_at == world.clock.now()


async def test_a_suspended_company_refuses_its_keys_from_the_kv_or_the_database(
    world: World,
) -> None:
    issued = await issue(world)
    with pytest.raises(Forbidden, match="suspended"):
        await sign_in(world, issued.secret, (b"1", b"1"))  # the KV's company mark
    async with world.uow() as uow:
        firm = await uow.companies.get(world.id)
        assert firm is not None
        firm.status = CompanyStatus.SUSPENDED
        await uow.companies.save(firm)
        await uow.commit()
    caller = await api_key.find(issued.secret, world.deps)
    with pytest.raises(Forbidden, match="suspended"):
        await api_key.admit(caller, world.deps, None)  # the KV could not say


async def test_what_a_key_writes_is_audited_with_its_id(world: World) -> None:
    issued = await issue(world, "contacts:write")
    principal = await sign_in(world, issued.secret)
    made = await contacts.create_contact(
        principal, contacts.CreateContact(name="Via ERP"), world.deps
    )
    entry = world.audit()[-1]
    assert (entry.action, entry.entity_id) == ("contact.created", made.id)
    assert entry.detail["apiKeyId"] == str(issued.key.id)
    assert entry.actor_id == world.people["admin"].id


async def test_keys_are_the_companys_own(world: World, other: World) -> None:
    issued = await issue(world)
    page = await api_keys.list_keys(other.as_("admin"), None, 20, other.deps)
    assert page.items == []
    with pytest.raises(NotFound, match="No such API key"):
        await api_keys.get_key(other.as_("admin"), issued.key.id, other.deps)
    mine = await api_keys.list_keys(world.as_("admin"), None, 20, world.deps)
    assert [k.id for k in mine.items] == [issued.key.id]
