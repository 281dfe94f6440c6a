"""Webhook use cases on the memory fake with a scripted sender: who subscribes, where an
endpoint may point (checked at subscribe and again at send), events written with the
write that raises them (and only for endpoints that want them), signed deliveries, the
retry schedule to dead, disabling with an email to ADMINs, the delivery log, ping,
redelivery and secret rotation. Real HTTP against a loopback receiver: tests/http."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from fakes.webhook_sender import ScriptedSender, signed_by
from fieldedge.domain.webhooks import MAX_ATTEMPTS, DeliveryStatus, WebhookEndpoint
from fieldedge.errors import DependencyUnavailable, Forbidden, NotFound, ValidationFailed
from fieldedge.ports.webhooks import SentWebhook, WebhookFailed
from fieldedge.services import contacts
from fieldedge.services.outbox.backoff import WEBHOOK_DELAYS_S
from fieldedge.services.outbox.dispatcher import dispatch_due
from fieldedge.services.webhooks import endpoints
from fieldedge.services.webhooks.emit import KIND
from fieldedge_adapters.kv import MemoryKV

from .world import World

PUBLIC = "93.184.215.14"
URL = "https://erp.example.com/hooks"


@pytest.fixture
def sender() -> ScriptedSender:
    return ScriptedSender(dns={"erp.example.com": [PUBLIC]})


@pytest.fixture
def hooked(world: World, sender: ScriptedSender) -> World:
    world.deps = replace(world.deps, webhooks=sender)
    return world


async def subscribe(
    world: World, *types: str, url: str = URL, statuses: list[str] | None = None
) -> WebhookEndpoint:
    cmd = endpoints.Subscribe(url, list(types) or ["contact.created"], statuses)
    return await endpoints.subscribe(world.as_("admin"), cmd, world.deps)


async def new_contact(world: World, name: str = "Dr. Rao") -> contacts.Contact:
    return await contacts.create_contact(
        world.as_("rep_a1"), contacts.CreateContact(name=name), world.deps
    )


async def test_only_an_admin_subscribes(hooked: World) -> None:
    for who in ("mgr_a", "rep_a1"):
        with pytest.raises(Forbidden):
            await endpoints.subscribe(
                hooked.as_(who), endpoints.Subscribe(URL, ["contact.created"]), hooked.deps
            )


@pytest.mark.parametrize(
    ("url", "dns"),
    [
        ("https://127.0.0.1/x", {}),
        ("https://169.254.169.254/latest/meta-data", {}),
        ("https://10.0.0.1/x", {}),
        ("https://[::1]/x", {}),
        ("https://inside.example.com/x", {"inside.example.com": ["10.1.2.3"]}),
        ("https://meta.example.com/x", {"meta.example.com": ["169.254.169.254"]}),
        # One bad address among good ones is enough: the resolver may hand out either.
        ("https://mixed.example.com/x", {"mixed.example.com": [PUBLIC, "127.0.0.1"]}),
        ("https://nowhere.example.com/x", {}),  # does not resolve
    ],
)
async def test_an_endpoint_that_is_not_public_is_422(
    hooked: World, sender: ScriptedSender, url: str, dns: dict[str, list[str]]
) -> None:
    sender.dns |= dns
    for literal in ("127.0.0.1", "169.254.169.254", "10.0.0.1", "::1"):
        sender.dns.setdefault(literal, [literal])
    with pytest.raises(ValidationFailed) as caught:
        await subscribe(hooked, url=url)
    assert "url" in (caught.value.details or {})
    assert hooked.actions()[-1:] != ["webhook.created"]


async def test_http_is_refused_in_production(hooked: World, sender: ScriptedSender) -> None:
    settings = hooked.deps.settings.model_copy(update={"fieldedge_env": "prod"})
    hooked.deps = replace(hooked.deps, settings=settings)
    with pytest.raises(ValidationFailed):
        await subscribe(hooked, url="http://erp.example.com/hooks")
    assert (await subscribe(hooked)).url == URL


async def test_a_write_queues_one_signed_event_per_endpoint_that_wants_it(
    hooked: World, sender: ScriptedSender
) -> None:
    wants = await subscribe(hooked, "contact.created")
    also = await subscribe(hooked, "contact.created", "contact.deleted")
    await subscribe(hooked, "order.created")  # not this event
    made = await new_contact(hooked)
    queued = hooked.events(KIND)
    assert sorted(e.payload["endpoint_id"] for e in queued) == sorted([str(wants.id), str(also.id)])
    event = queued[0].payload["event"]
    assert event["type"] == "contact.created"
    assert event["data"]["id"] == str(made.id)
    assert event["data"]["name"] == "Dr. Rao"
    assert "companyId" not in event["data"]
    assert queued[0].payload["event"]["id"] == queued[1].payload["event"]["id"]
    report = await dispatch_due(hooked.deps)
    assert report.sent == 2
    assert len(sender.posts) == 2
    for post in sender.posts:
        assert post.address == PUBLIC  # the address checked is the one connected to
        assert json.loads(post.body) == event
        assert post.headers["webhook-id"] == event["id"]
    # Each endpoint's delivery is signed with that endpoint's own secret.
    verified = {
        s
        for s in (wants.secret, also.secret)
        for p in sender.posts
        if signed_by(s, p.headers, p.body)
    }
    assert verified == {wants.secret, also.secret}


async def test_no_endpoint_no_event_and_a_rolled_back_write_sends_nothing(
    hooked: World,
) -> None:
    await new_contact(hooked)
    assert hooked.events(KIND) == []
    await subscribe(hooked, "contact.created")
    made = await new_contact(hooked, "Kept")
    with pytest.raises(Forbidden):  # a rep may not delete: no write, no event
        await contacts.delete_contact(hooked.as_("rep_a1"), made.id, hooked.deps)
    assert [e.payload["event"]["type"] for e in hooked.events(KIND)] == ["contact.created"]


async def test_a_status_filter_sends_only_those_statuses(hooked: World) -> None:
    await subscribe(hooked, "contact.created", statuses=["DELIVERED"])
    await new_contact(hooked)  # a contact has no status: filtered out
    assert hooked.events(KIND) == []


async def test_failures_retry_on_the_schedule_then_the_delivery_dies_and_the_endpoint_is_off(
    hooked: World, sender: ScriptedSender
) -> None:
    endpoint = await subscribe(hooked)
    sender.answers = [SentWebhook(500, 4, b"no")] * (MAX_ATTEMPTS - 1) + [
        WebhookFailed("timed out", 10_000)
    ]
    await new_contact(hooked)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = await dispatch_due(hooked.deps)
        assert report.claimed == 1, attempt
        if attempt < MAX_ATTEMPTS:
            assert await dispatch_due(hooked.deps) == type(report)()  # not due yet
            hooked.clock.advance(WEBHOOK_DELAYS_S[attempt - 1] * 1.21)
    assert report.dead == 1
    log = await endpoints.deliveries(hooked.as_("admin"), endpoint.id, None, 50, hooked.deps)
    assert [d.attempt for d in log.items] == list(range(MAX_ATTEMPTS, 0, -1))
    assert log.items[0].status is DeliveryStatus.DEAD
    assert log.items[0].error == "timed out"
    assert {d.status for d in log.items[1:]} == {DeliveryStatus.FAILED}
    assert log.items[1].response_status == 500
    off = await endpoints.get_endpoint(hooked.as_("admin"), endpoint.id, hooked.deps)
    assert off.active is False
    assert off.disabled_reason
    mails = hooked.emails("webhook_disabled")
    assert [m["to"] for m in mails] == [[hooked.people["admin"].email]]
    assert "webhook.disabled" in hooked.actions()
    total = sum(WEBHOOK_DELAYS_S)
    assert 0.8 * total >= 20 * 3600  # about a day from the first attempt to the last
    # A disabled endpoint gets nothing more, until an ADMIN turns it back on.
    await new_contact(hooked, "Later")
    assert len([e for e in hooked.events(KIND) if e.status == "pending"]) == 0
    back = await endpoints.update_endpoint(
        hooked.as_("admin"), endpoint.id, {"active": True}, hooked.deps
    )
    assert (back.active, back.consecutive_failures) == (True, 0)


async def test_a_success_between_failures_keeps_the_endpoint_on(
    hooked: World, sender: ScriptedSender
) -> None:
    endpoint = await subscribe(hooked)
    sender.answers = [SentWebhook(503, 1, b"")]
    await new_contact(hooked)
    await dispatch_due(hooked.deps)
    hooked.clock.advance(10)
    await dispatch_due(hooked.deps)
    current = await endpoints.get_endpoint(hooked.as_("admin"), endpoint.id, hooked.deps)
    assert (current.active, current.consecutive_failures) == (True, 0)


async def test_the_send_time_check_refuses_a_name_that_now_resolves_inside(
    hooked: World, sender: ScriptedSender
) -> None:
    endpoint = await subscribe(hooked)
    sender.dns["erp.example.com"] = ["10.0.0.5"]  # DNS changed after the subscription
    await new_contact(hooked)
    report = await dispatch_due(hooked.deps)
    assert report.failed == 1
    assert sender.posts == []
    log = await endpoints.deliveries(hooked.as_("admin"), endpoint.id, None, 5, hooked.deps)
    assert log.items[0].error is not None
    assert "private" in log.items[0].error


async def test_rotation_signs_with_both_secrets_during_the_overlap(
    hooked: World, sender: ScriptedSender
) -> None:
    endpoint = await subscribe(hooked)
    old = endpoint.secret
    rotated = await endpoints.rotate_secret(
        hooked.as_("admin"), endpoint.id, timedelta(hours=1), hooked.deps
    )
    assert rotated.secret != old
    ping = await endpoints.ping(hooked.as_("admin"), endpoint.id, hooked.deps)
    assert ping.status is DeliveryStatus.DELIVERED
    post = sender.posts[-1]
    assert signed_by(old, post.headers, post.body)
    assert signed_by(rotated.secret, post.headers, post.body)
    hooked.clock.advance(3600)
    await endpoints.ping(hooked.as_("admin"), endpoint.id, hooked.deps)
    assert len(sender.posts[-1].headers["webhook-signature"].split()) == 1
    with pytest.raises(ValidationFailed):
        await endpoints.rotate_secret(
            hooked.as_("admin"), endpoint.id, timedelta(days=8), hooked.deps
        )


async def test_redelivery_sends_the_same_event_again(hooked: World, sender: ScriptedSender) -> None:
    endpoint = await subscribe(hooked)
    await new_contact(hooked)
    await dispatch_due(hooked.deps)
    first = (
        await endpoints.deliveries(hooked.as_("admin"), endpoint.id, None, 5, hooked.deps)
    ).items[0]
    event = await endpoints.redeliver(hooked.as_("admin"), endpoint.id, first.id, hooked.deps)
    assert event["id"] == first.event_id
    await dispatch_due(hooked.deps)
    assert [p.headers["webhook-id"] for p in sender.posts] == [first.event_id] * 2
    assert hooked.actions()[-1] == "webhook.redelivered"


async def test_endpoints_are_the_companys_own(hooked: World, other: World) -> None:
    endpoint = await subscribe(hooked)
    with pytest.raises(NotFound):
        await endpoints.get_endpoint(other.as_("admin"), endpoint.id, other.deps)
    with pytest.raises(NotFound):
        await endpoints.ping(other.as_("admin"), endpoint.id, other.deps)


async def test_order_created_carries_the_orders_number(
    hooked: World, sender: ScriptedSender
) -> None:
    from fieldedge.services.orders import CreateOrder, ItemRequest, create_order

    await subscribe(hooked, "order.created")
    buyer = await hooked.contact("rep_a1")
    pen = await hooked.product()
    order = await create_order(
        hooked.as_("rep_a1"), CreateOrder(buyer.id, [ItemRequest(pen.id, 2)]), hooked.deps
    )
    assert order.number is not None
    assert (await dispatch_due(hooked.deps)).sent == 1
    (post,) = sender.posts
    sent = json.loads(post.body)
    assert (sent["type"], sent["data"]["id"]) == ("order.created", str(order.id))
    assert sent["data"]["number"] == order.number
    assert signed_by((await endpoints.list_endpoints(hooked.as_("admin"), None, 5,
                                                    hooked.deps)).items[0].secret,
                     post.headers, post.body)  # fmt: skip


async def test_a_company_without_endpoints_is_remembered_and_a_subscription_clears_it(
    hooked: World,
) -> None:
    from fieldedge.services.webhooks import presence

    await new_contact(hooked)
    assert await hooked.deps.kv.get(presence.key(hooked.id)) == b"0"
    await subscribe(hooked, "contact.created")
    assert await hooked.deps.kv.get(presence.key(hooked.id)) == b"1"
    made = await new_contact(hooked, "Dr. Iyer")
    assert [e.payload["event"]["data"]["id"] for e in hooked.events(KIND)] == [str(made.id)]


class _DownKV(MemoryKV):
    """A KV that is down: every call fails as an adapter's would."""

    async def get(self, key: str) -> bytes | None:
        raise DependencyUnavailable("kv")

    async def set(
        self, key: str, value: bytes, *, ttl_s: float | None = None, nx: bool = False
    ) -> bool:
        raise DependencyUnavailable("kv")

    async def delete(self, key: str) -> None:
        raise DependencyUnavailable("kv")


async def test_with_the_kv_down_a_write_reads_the_endpoints_and_subscribing_still_works(
    hooked: World,
) -> None:
    await new_contact(hooked)  # remembered: no endpoint
    hooked.deps = replace(hooked.deps, kv=_DownKV())
    await subscribe(hooked, "contact.created")  # the flag cannot be set: not an error
    made = await new_contact(hooked, "Dr. Iyer")  # the flag cannot be read: the read runs
    assert [e.payload["event"]["data"]["id"] for e in hooked.events(KIND)] == [str(made.id)]


async def test_each_move_of_an_expense_claim_is_an_event_the_filter_can_narrow(
    hooked: World,
) -> None:
    from fieldedge.domain.expenses import ExpenseCategory
    from fieldedge.services.expense_review import decide_claim, reimburse_claim, submit_claim
    from fieldedge.services.expenses import CreateClaim, LineInput, create_claim

    moves = ("expense.submitted", "expense.approved", "expense.rejected", "expense.reimbursed")
    await subscribe(hooked, *moves)
    await subscribe(hooked, "expense.approved", statuses=["REJECTED"])  # never this one
    food = LineInput(ExpenseCategory.FOOD, hooked.deps.clock.now().date(), 25000)
    ids = []
    for _ in range(2):
        claim = await create_claim(
            hooked.as_("rep_a1"), CreateClaim("Pune trip", lines=[food]), hooked.deps
        )
        await submit_claim(hooked.as_("rep_a1"), claim.id, hooked.deps)
        ids.append(claim.id)
    await decide_claim(hooked.as_("mgr_a"), ids[0], True, None, hooked.deps)
    await reimburse_claim(hooked.as_("admin"), ids[0], "NEFT-1", hooked.deps)
    await decide_claim(hooked.as_("mgr_a"), ids[1], False, "No bill", hooked.deps)
    sent = [
        (e.payload["event"]["type"], e.payload["event"]["data"]["id"],
         e.payload["event"]["data"]["status"])
        for e in hooked.events(KIND)
    ]  # fmt: skip
    first, second = str(ids[0]), str(ids[1])
    assert sent == [
        ("expense.submitted", first, "SUBMITTED"),
        ("expense.submitted", second, "SUBMITTED"),
        ("expense.approved", first, "APPROVED"),
        ("expense.reimbursed", first, "REIMBURSED"),
        ("expense.rejected", second, "REJECTED"),
    ]
