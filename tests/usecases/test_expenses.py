"""Expense claims as use cases on the memory fake: the status machine and who may move
it, the lock, the NO_ATTENDANCE flag, a travel line computed from a hand-measured day,
the approval and rejection emails, receipts and selfies, and sync of a claim. HTTP
status mapping and the real databases live in tests/http/fieldforce/test_expenses.py."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from fieldedge.domain.expenses import ExpenseCategory, ExpenseStatus, LineFlag, travel_amount
from fieldedge.domain.sync import Mutation
from fieldedge.errors import (
    Conflict,
    Forbidden,
    InvalidStateTransition,
    NotFound,
    UnsupportedMediaType,
    ValidationFailed,
)
from fieldedge.http.sync_entities import registry
from fieldedge.services import attendance, visits
from fieldedge.services.company.settings import UpdateCompany, update_company
from fieldedge.services.expense_receipts import add_receipt, add_selfie, read_receipt
from fieldedge.services.expense_review import decide_claim, reimburse_claim, submit_claim
from fieldedge.services.expenses import (
    ClaimFilter,
    CreateClaim,
    LineInput,
    add_line,
    create_claim,
    edit_line,
    get_claim,
    list_claims,
    remove_line,
    update_claim,
)
from fieldedge.services.sync.pull import pull
from fieldedge.services.sync.push import push
from fixtures.images import JPEG

from .conftest import NOW
from .world import World

TODAY = NOW.date()  # 2026-03-02 in the world's company (UTC)
LNG = 73.85
# Points on one meridian: 0.01 degree of latitude is R * pi / 180 * 0.01 metres.
DEG = 6_371_008.8 * 3.141592653589793 / 180
T, F = ExpenseCategory.TRAVEL, ExpenseCategory.FOOD


def food(amount: int = 25000, on: date = TODAY, **more: object) -> LineInput:
    return LineInput(F, on, amount, **more)  # type: ignore[arg-type]


async def claim_of(world: World, who: str = "rep_a1", *lines: LineInput) -> UUID:
    made = await create_claim(world.as_(who), CreateClaim("Pune trip", lines=lines), world.deps)
    return made.id


async def punched_day(world: World, who: str = "rep_a1") -> None:
    """09:30 punch in at 18.50, a check-in at 18.51 at 11:30, punch out at 18.52 at 17:30:
    0.02 degree along one meridian, 2223.9 m."""
    me = world.as_(who)
    await attendance.punch_in(me, attendance.PunchIn(18.50, LNG, 10), world.deps)
    outlet = await world.contact(owner=who, latitude=18.51, longitude=LNG)
    at = NOW + timedelta(hours=2)
    await visits.check_in(me, visits.CheckIn(outlet.id, 18.51, LNG, 10, checked_in_at=at),
                          world.deps)  # fmt: skip
    world.clock.at = NOW + timedelta(hours=8)
    await attendance.punch_out(me, attendance.PunchOut(18.52, LNG, 10), world.deps)


async def set_rate(world: World, per_km: int) -> None:
    await update_company(world.as_("admin"), UpdateCompany(travel_rate_per_km=per_km), world.deps)


def test_travel_amounts_round_half_up_exactly() -> None:
    assert travel_amount(2500.0, 1) == 3  # 2.5 -> 3, not banker's 2
    assert travel_amount(12_500.0, 7) == 88  # 87.5
    assert travel_amount(12_499.9, 7) == 87  # 87.4993
    assert travel_amount(0.0, 800) == 0


async def test_a_travel_line_is_the_days_distance_at_the_companys_rate(world: World) -> None:
    await punched_day(world)
    await set_rate(world, 800)  # INR 8.00 a km, in paise
    claim_id = await claim_of(world, "rep_a1", LineInput(T, TODAY, from_attendance=True))
    claim = await get_claim(world.as_("rep_a1"), claim_id, world.deps)
    (line,) = claim.items
    assert line.distance_m == pytest.approx(0.02 * DEG, abs=0.1) == 2223.9
    assert (line.amount, line.rate_per_km, line.flags) == (1779, 800, [])  # 2223.9 m x 0.8
    assert claim.total == 1779


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (LineInput(F, TODAY, from_attendance=True), "lines.0.fromAttendance"),
        (LineInput(T, TODAY, 100, from_attendance=True), "lines.0.amount"),
        (LineInput(T, TODAY - timedelta(days=1), from_attendance=True), "lines.0.fromAttendance"),
        (LineInput(F, TODAY), "lines.0.amount"),
        (LineInput(F, TODAY, -1), "lines.0.amount"),
    ],
)
async def test_what_is_no_line_is_422_naming_the_field(
    world: World, line: LineInput, field: str
) -> None:
    await punched_day(world)
    await set_rate(world, 800)
    with pytest.raises(ValidationFailed) as refused:
        await claim_of(world, "rep_a1", line)
    assert field in (refused.value.details or {})
    page = await list_claims(world.as_("admin"), ClaimFilter(), None, 20, world.deps)
    assert page.items == []


async def test_a_computed_line_needs_a_rate(world: World) -> None:
    await punched_day(world)
    with pytest.raises(ValidationFailed) as refused:
        await claim_of(world, "rep_a1", LineInput(T, TODAY, from_attendance=True))
    assert "rate" in str(refused.value.details)


async def test_a_day_without_attendance_is_flagged_and_kept(world: World) -> None:
    claim_id = await claim_of(world, "rep_a1", food())
    claim = await get_claim(world.as_("rep_a1"), claim_id, world.deps)
    assert [line.flags for line in claim.items] == [[LineFlag.NO_ATTENDANCE]]
    await punched_day(world)  # the day arrives (an offline punch-in synced later)
    submitted = await submit_claim(world.as_("rep_a1"), claim_id, world.deps)
    assert [line.flags for line in submitted.items] == [[]]  # flagged again on submit


async def test_the_status_machine_and_who_moves_it(world: World) -> None:
    claim_id = await claim_of(world, "rep_a1", food())
    mgr_a, mgr_b, admin = world.as_("mgr_a"), world.as_("mgr_b"), world.as_("admin")
    with pytest.raises(InvalidStateTransition):
        await decide_claim(mgr_a, claim_id, True, None, world.deps)  # DRAFT: not yet
    with pytest.raises(Forbidden):
        await submit_claim(mgr_a, claim_id, world.deps)  # not the manager's own claim
    await submit_claim(world.as_("rep_a1"), claim_id, world.deps)
    with pytest.raises(InvalidStateTransition):
        await submit_claim(world.as_("rep_a1"), claim_id, world.deps)
    with pytest.raises(NotFound):
        await decide_claim(mgr_b, claim_id, True, None, world.deps)  # another team's
    with pytest.raises(Forbidden):
        await decide_claim(world.as_("rep_a2"), claim_id, True, None, world.deps)
    with pytest.raises(Forbidden):
        await reimburse_claim(mgr_a, claim_id, None, world.deps)  # ADMIN only
    with pytest.raises(InvalidStateTransition):
        await reimburse_claim(admin, claim_id, None, world.deps)  # not approved yet
    approved = await decide_claim(mgr_a, claim_id, True, None, world.deps)
    assert (approved.status, approved.approved_by) == (ExpenseStatus.APPROVED, mgr_a.user_id)
    with pytest.raises(InvalidStateTransition):
        await decide_claim(admin, claim_id, False, "late", world.deps)
    paid = await reimburse_claim(admin, claim_id, "NEFT-881", world.deps)
    assert (paid.status, paid.reimbursement_reference) == (ExpenseStatus.REIMBURSED, "NEFT-881")
    with pytest.raises(InvalidStateTransition):
        await reimburse_claim(admin, claim_id, None, world.deps)
    actions = [a for a in world.actions() if a.startswith("expense.")]
    assert actions == [
        "expense.created", "expense.submitted", "expense.approved", "expense.reimbursed"
    ]  # fmt: skip


async def test_nobody_decides_their_own_claim(world: World) -> None:
    claim_id = await claim_of(world, "mgr_a", food())
    await submit_claim(world.as_("mgr_a"), claim_id, world.deps)
    with pytest.raises(Forbidden):
        await decide_claim(world.as_("mgr_a"), claim_id, True, None, world.deps)
    decided = await decide_claim(world.as_("admin"), claim_id, True, None, world.deps)
    assert decided.status is ExpenseStatus.APPROVED


async def test_a_rejection_needs_a_reason_and_mails_it(world: World) -> None:
    claim_id = await claim_of(world, "rep_a1", food(120_000))
    await submit_claim(world.as_("rep_a1"), claim_id, world.deps)
    for reason in (None, "  "):
        with pytest.raises(ValidationFailed) as refused:
            await decide_claim(world.as_("mgr_a"), claim_id, False, reason, world.deps)
        assert "reason" in (refused.value.details or {})
    assert world.emails() == []
    rejected = await decide_claim(world.as_("admin"), claim_id, False, "No bill", world.deps)
    assert (rejected.status, rejected.rejection_reason) == (ExpenseStatus.REJECTED, "No bill")
    (mail,) = world.emails("expense_rejected")
    rep = world.people["rep_a1"]
    assert mail["to"] == [rep.email]
    assert mail["context"]["reason"] == "No bill"
    assert mail["context"]["total"] == "INR 1,200.00"
    with pytest.raises(InvalidStateTransition):
        await submit_claim(world.as_("rep_a1"), claim_id, world.deps)  # REJECTED is final


async def test_approval_queues_an_email_to_the_rep(world: World) -> None:
    claim_id = await claim_of(world, "rep_a1", food(25_050))
    await submit_claim(world.as_("rep_a1"), claim_id, world.deps)
    assert world.emails("expense_approved") == []
    await decide_claim(world.as_("mgr_a"), claim_id, True, None, world.deps)
    (mail,) = world.emails("expense_approved")
    assert mail["to"] == [world.people["rep_a1"].email]
    assert mail["context"]["total"] == "INR 250.50"
    assert mail["context"]["link"].endswith(f"/expenses/{claim_id}")


async def test_only_a_draft_is_edited_and_only_by_its_rep(world: World) -> None:
    rep = world.as_("rep_a1")
    claim_id = await claim_of(world, "rep_a1", food(100))
    claim, line = await add_line(rep, claim_id, food(250, note="Lunch"), world.deps)
    assert claim.total == 350
    changed = await edit_line(rep, claim_id, line.id, {"amount": 300}, world.deps)
    assert changed.total == 400
    kept = await remove_line(rep, claim_id, line.id, world.deps)
    assert kept.total == 100
    with pytest.raises(Forbidden):
        await update_claim(world.as_("mgr_a"), claim_id, {"title": "Mine now"}, world.deps)
    with pytest.raises(NotFound):
        await update_claim(world.as_("rep_a2"), claim_id, {"title": "Mine now"}, world.deps)
    with pytest.raises(NotFound):
        await edit_line(rep, claim_id, uuid4(), {"amount": 1}, world.deps)
    await submit_claim(rep, claim_id, world.deps)
    await decide_claim(world.as_("mgr_a"), claim_id, True, None, world.deps)
    for edit in (
        update_claim(rep, claim_id, {"title": "After"}, world.deps),
        add_line(rep, claim_id, food(), world.deps),
        remove_line(rep, claim_id, kept.items[0].id, world.deps),
        add_receipt(rep, claim_id, kept.items[0].id, JPEG, world.deps),
    ):
        with pytest.raises(Conflict, match="APPROVED claim is locked"):
            await edit
    after = await get_claim(rep, claim_id, world.deps)
    assert (after.title, after.total, len(after.lines)) == ("Pune trip", 100, 1)


async def test_a_receipt_is_checked_hashed_and_stored_under_the_tenant(world: World) -> None:
    rep = world.as_("rep_a1")
    claim_id = await claim_of(world, "rep_a1", food())
    line_id = (await get_claim(rep, claim_id, world.deps)).items[0].id
    with pytest.raises(UnsupportedMediaType):
        await add_receipt(rep, claim_id, line_id, b"GIF89a not a receipt", world.deps)
    claim, new = await add_receipt(rep, claim_id, line_id, JPEG, world.deps)
    receipt = claim.items[0].receipt
    assert new
    assert receipt is not None
    assert receipt.key.startswith(f"{world.id}/expenses/{claim_id}/")
    assert receipt.content_type == "image/jpeg"
    again, new = await add_receipt(rep, claim_id, line_id, JPEG, world.deps)
    assert not new
    assert again.items[0].receipt == receipt
    read = await read_receipt(world.as_("mgr_a"), claim_id, line_id, world.deps)
    assert read.stored is not None
    assert read.stored.data == JPEG
    with pytest.raises(NotFound):
        await read_receipt(world.as_("rep_a2"), claim_id, line_id, world.deps)
    await remove_line(rep, claim_id, line_id, world.deps)
    assert await world.deps.storage.head(receipt.key) is None  # no row names it: gone


async def test_an_edit_that_drops_a_line_drops_its_receipt(world: World) -> None:
    rep = world.as_("rep_a1")
    claim_id = await claim_of(world, "rep_a1", food())
    line_id = (await get_claim(rep, claim_id, world.deps)).items[0].id
    claim, _ = await add_receipt(rep, claim_id, line_id, JPEG, world.deps)
    receipt = claim.items[0].receipt
    assert receipt is not None
    taxi = LineInput(category=ExpenseCategory.TRAVEL, date=claim.items[0].date, amount=900)
    await update_claim(rep, claim_id, {"lines": [taxi]}, world.deps)
    assert await world.deps.storage.head(receipt.key) is None  # no row names it: gone


async def test_a_synced_edit_that_drops_a_line_drops_its_receipt_once_committed(
    world: World,
) -> None:
    rep = world.as_("rep_a1")
    claim_id = await claim_of(world, "rep_a1", food())
    line_id = (await get_claim(rep, claim_id, world.deps)).items[0].id
    claim, _ = await add_receipt(rep, claim_id, line_id, JPEG, world.deps)
    receipt = claim.items[0].receipt
    assert receipt is not None
    taxi = {"category": "TRAVEL", "date": claim.items[0].date.isoformat(), "amount": 900}
    edit = Mutation(
        id=1, entity="expense", op="update", entity_id=claim_id,
        base_version=claim.version, data={"lines": [taxi]},
    )  # fmt: skip
    pushed = await push(rep, uuid4(), [edit], registry(), world.deps)
    assert pushed.results[0]["status"] == "applied", pushed.results
    assert await world.deps.storage.head(receipt.key) is None  # no row names it: gone


async def test_a_selfie_goes_on_ones_own_day_once(world: World) -> None:
    rep = world.as_("rep_a1")
    day = await attendance.punch_in(rep, attendance.PunchIn(18.5, LNG, 10), world.deps)
    with pytest.raises(Forbidden):
        await add_selfie(world.as_("mgr_a"), day.id, JPEG, world.deps)
    with_selfie, new = await add_selfie(rep, day.id, JPEG, world.deps)
    assert new
    assert with_selfie.selfie is not None
    assert with_selfie.selfie["key"].startswith(f"{world.id}/attendance/{day.id}/")
    _, new = await add_selfie(rep, day.id, JPEG, world.deps)
    assert not new
    assert "attendance.selfie_added" in world.actions()


async def test_a_claim_syncs_round_trip(world: World) -> None:
    rep, claim_id = world.as_("rep_a1"), uuid4()
    line = {"category": "FOOD", "date": TODAY.isoformat(), "amount": 900}
    created = Mutation(
        id=1, entity="expense", op="create", entity_id=claim_id, base_version=None,
        data={"title": "Offline", "lines": [line]},
    )  # fmt: skip
    pushed = await push(rep, uuid4(), [created], registry(), world.deps)
    (result,) = pushed.results
    assert result["status"] == "applied"
    assert result["record"]["total"] == 900
    assert result["record"]["lines"][0]["flags"] == ["NO_ATTENDANCE"]
    pulled = await pull(world.as_("mgr_a"), None, 100, registry(), world.deps)
    (row,) = pulled.changes["expenses"]["upserted"]
    assert (row["id"], row["status"]) == (claim_id, "DRAFT")
    client = uuid4()
    edit = Mutation(
        id=1, entity="expense", op="update", entity_id=claim_id,
        base_version=result["version"], data={"title": "Edited offline"},
    )  # fmt: skip
    applied = await push(rep, client, [edit], registry(), world.deps)
    assert applied.results[0]["status"] == "applied"
    stale = Mutation(  # another device, from the first version: title clashes, note not
        id=1, entity="expense", op="update", entity_id=claim_id,
        base_version=result["version"], data={"title": "Other title", "note": "From the tablet"},
    )  # fmt: skip
    merged = await push(rep, uuid4(), [stale], registry(), world.deps)
    (clash,) = merged.results[0]["conflicts"]
    assert merged.results[0]["status"] == "conflict"
    assert (clash["field"], clash["serverValue"], clash["clientValue"]) == (
        "title", "Edited offline", "Other title"
    )  # fmt: skip
    assert merged.results[0]["record"]["note"] == "From the tablet"
    await submit_claim(rep, claim_id, world.deps)
    late = Mutation(
        id=2, entity="expense", op="update", entity_id=claim_id,
        base_version=result["version"], data={"note": "too late"},
    )  # fmt: skip
    locked = await push(rep, client, [late], registry(), world.deps)
    assert locked.results[0]["status"] == "conflict"
    assert locked.results[0]["record"]["status"] == "SUBMITTED"
    stored = await get_claim(rep, claim_id, world.deps)
    assert (stored.title, stored.note) == ("Edited offline", "From the tablet")


async def test_a_sync_update_replaces_the_lines_and_keeps_a_receipt(world: World) -> None:
    rep = world.as_("rep_a1")
    claim_id = await claim_of(world, "rep_a1", food(100))
    first = (await get_claim(rep, claim_id, world.deps)).items[0]
    with_receipt, _ = await add_receipt(rep, claim_id, first.id, JPEG, world.deps)
    lines = [
        {"id": str(first.id), "category": "FOOD", "date": TODAY.isoformat(), "amount": 150},
        {"category": "OTHER", "date": TODAY.isoformat(), "amount": 50, "note": "Parking"},
    ]
    edit = Mutation(
        id=1, entity="expense", op="update", entity_id=claim_id,
        base_version=with_receipt.version, data={"lines": lines},
    )  # fmt: skip
    pushed = await push(rep, uuid4(), [edit], registry(), world.deps)
    assert pushed.results[0]["status"] == "applied", pushed.results
    claim = await get_claim(rep, claim_id, world.deps)
    assert claim.total == 200
    assert [item.amount for item in claim.items] == [150, 50]
    assert claim.items[0].receipt == with_receipt.items[0].receipt
