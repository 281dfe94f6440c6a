"""The scheduled jobs (payment reminders, the visit digest), the outbox dispatcher and
sweep, exports and contact imports, as use cases on the memory fake."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from fieldedge.domain.orders import OrderStatus
from fieldedge.domain.outbox import OutboxStatus
from fieldedge.domain.pricing import ItemRequest
from fieldedge.services.common import queue_email
from fieldedge.services.export import export_company
from fieldedge.services.export_event import request_export
from fieldedge.services.import_contacts import import_contacts
from fieldedge.services.jobs.payment_reminders import payment_reminders
from fieldedge.services.jobs.visit_digest import visit_digest
from fieldedge.services.orders import CreateOrder, UpdateOrder, create_order, update_order
from fieldedge.services.outbox.dispatcher import dispatch_due
from fieldedge.services.outbox.sweep import sweep
from fieldedge.services.visits import CheckIn, check_in

from .world import PUNE, World


async def _approved_order(world: World, who: str = "rep_a1") -> None:
    contact = await world.contact(who)
    pen = await world.product()
    order = await create_order(
        world.as_(who), CreateOrder(contact.id, [ItemRequest(pen.id, 1)]), world.deps
    )
    await update_order(world.as_("admin"), order.id, UpdateOrder(status=OrderStatus.APPROVED),
                       world.deps)  # fmt: skip


async def test_payment_reminders_go_to_reps_with_week_old_balances(world: World) -> None:
    await _approved_order(world, "rep_a1")
    world.clock.advance(timedelta(days=8).total_seconds())
    await _approved_order(world, "rep_b1")  # approved today: not yet reminded
    assert await payment_reminders(world.deps) == {"companies": 1, "emails": 1}
    (mail,) = world.emails("payment_reminder")
    assert mail["to"] == [world.people["rep_a1"].email]
    assert mail["context"]["balanceDueMinor"] == 1475


async def test_the_visit_digest_tells_each_manager_of_yesterdays_team_visits(
    world: World,
) -> None:
    contact = await world.contact("rep_a1")
    cmd = CheckIn(contact_id=contact.id, latitude=PUNE[0], longitude=PUNE[1], accuracy_m=200)
    await check_in(world.as_("rep_a1"), cmd, world.deps)
    world.clock.advance(timedelta(days=1).total_seconds())
    assert await visit_digest(world.deps) == {"companies": 1, "emails": 1}
    (mail,) = world.emails("visit_digest")
    assert mail["to"] == [world.people["mgr_a"].email]
    assert (mail["context"]["visitCount"], mail["context"]["flaggedCount"]) == (1, 1)


async def test_the_dispatcher_sends_due_mail_and_the_sweep_counts_every_step(
    world: World,
) -> None:
    await _approved_order(world)
    report = await dispatch_due(world.deps)
    assert (report.claimed, report.sent, report.failed) == (1, 1, 0)  # the rep's approval mail
    assert {e.status for e in world.events()} == {OutboxStatus.SENT}
    world.clock.advance(timedelta(days=31).total_seconds())
    counts = await sweep(world.deps)
    assert set(counts) == {"refresh_tokens", "reset_tokens", "outbox_sent",
                           "idempotency_records", "sync_records"}  # fmt: skip
    assert counts["outbox_sent"] == 1
    assert world.events() == []


async def test_an_event_that_cannot_render_is_dead_at_once(world: World) -> None:
    async with world.uow() as uow:
        await queue_email(uow, world.deps, company_id=world.id, template="no_such_template",
                          to=["a@b.example"], context={})  # fmt: skip
        await uow.commit()
    report = await dispatch_due(world.deps)
    assert report.dead == 1
    assert world.events()[0].status is OutboxStatus.DEAD


async def test_an_export_is_queued_then_built_and_mailed(world: World) -> None:
    await world.contact("rep_a1")
    await request_export(world.as_("admin"), world.deps)
    assert world.actions()[-1] == "company.export_requested"
    report = await dispatch_due(world.deps)
    assert report.sent == 1  # the export task
    (mail,) = world.emails("export_ready")
    assert mail["to"] == [world.people["admin"].email]


async def test_an_export_zips_every_table_without_password_hashes(world: World) -> None:
    await world.with_password("rep_a1")
    await world.contact("rep_a1")
    result = await export_company(world.id, world.deps)
    assert (result.counts["users"], result.counts["contacts"]) == (6, 1)
    data = (await world.deps.storage.get(result.key)).data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        users = archive.read("users.jsonl").decode()
    assert "password_hash" not in users
    assert world.actions()[-1] == "company.exported"


CSV = "name,phone,email,city\nDr. A,9820012345,,Pune\nDr. B,,b@x.example,Pune\nDup,9820012345,,\n"


async def test_an_import_creates_and_skips_duplicates(world: World) -> None:
    report = await import_contacts(world.id, CSV, world.deps)
    assert (report.created, report.duplicates, report.errors) == (2, [4], [])
    again = await import_contacts(world.id, CSV, world.deps)
    assert (again.created, sorted(again.duplicates)) == (0, [2, 3, 4])
    assert world.actions().count("contact.imported") == 1


async def test_a_bad_row_stops_the_whole_import_unless_skipped(world: World) -> None:
    bad = CSV + "No key,,,\n"
    report = await import_contacts(world.id, bad, world.deps)
    assert (report.created, report.written, [e.line for e in report.errors]) == (0, False, [5])
    skipped = await import_contacts(world.id, bad, world.deps, skip_invalid=True)
    assert (skipped.created, skipped.written) == (2, True)
