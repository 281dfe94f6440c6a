"""The demo company's field work: its territory tree, 200 contacts around Pune and Mumbai
spread over it (one in ten added by its rep, so the month shows new contacts), 40
products, a week of visits per rep, orders in every status and payments, and each rep's
target for the current month set by their manager, all through the use cases the API
runs (so every row obeys the rules: numbered, priced, stamped, audited).

Everything random comes from ``random.Random(42)``: two runs make the same company.
The week is written with a clock set to each moment (``_At``), so visits are not flagged
``CLOCK_SKEW`` and orders carry the day they were taken.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from uuid import UUID

from fieldedge.domain.access import Principal
from fieldedge.domain.contacts import Contact, ContactType
from fieldedge.domain.identity import User
from fieldedge.domain.orders import OrderStatus
from fieldedge.domain.payments import PaymentMethod
from fieldedge.domain.pricing import ItemRequest
from fieldedge.domain.products import Product
from fieldedge.services.attendance import PunchIn, PunchOut, punch_in, punch_out
from fieldedge.services.contacts import CreateContact, create_contact
from fieldedge.services.demo.beats import seed_beats
from fieldedge.services.demo.photos import demo_photo
from fieldedge.services.demo.territories import seed_territories
from fieldedge.services.deps import Deps
from fieldedge.services.expense_receipts import add_selfie
from fieldedge.services.orders import CreateOrder, UpdateOrder, create_order, update_order
from fieldedge.services.payments import RecordPayment, record_payment
from fieldedge.services.products import CreateProduct, create_product
from fieldedge.services.targets import SetTarget, my_month, set_target
from fieldedge.services.visits import CheckIn, CheckOut, check_in, check_out

CITIES = (("Pune", 18.5204, 73.8567), ("Mumbai", 19.0760, 72.8777))  # one per team
CONTACTS, PRODUCTS, DAYS, RADIUS_KM = 200, 40, 7, 15.0
IST = timedelta(hours=5, minutes=30)
SLOTS = (time(10, 0), time(11, 30), time(13, 0), time(15, 0), time(16, 30))
FIRST = "Amit Neha Rohan Pooja Sanjay Kavita Nitin Swati Manoj Deepa Suresh Anjali Ravi Shweta"
LAST = "Patil Deshmukh Joshi Shah Gupta Jadhav Pawar Shinde Kulkarni Sawant Naik Bhosale More"
SHOPS = ("Medicals", "Pharmacy", "Chemists", "Health Store", "Drug House")
TRADERS = ("Pharma Distributors", "Medical Agencies", "Traders", "Enterprises")
DRUGS = (
    "Paracetamol Amoxicillin Cetirizine Azithromycin Metformin Pantoprazole Ibuprofen Vitamin-D3"
)
FORMS = (  # form, base price (paise), GST (bp)
    ("500 mg tablets 10x10", 4500, 1200),
    ("250 mg syrup 100 ml", 8900, 1200),
    ("capsules 10x10", 12500, 500),
    ("gel 30 g", 9900, 1800),
    ("drops 10 ml", 6500, 500),
)
# (status path, fraction of the total paid) for each order a rep takes, cycled.
S = OrderStatus
ORDER_PLANS: tuple[tuple[tuple[OrderStatus, ...], float], ...] = (
    ((), 0.0),
    ((S.APPROVED,), 0.0),
    ((S.APPROVED,), 0.5),
    ((S.APPROVED, S.DISPATCHED), 0.0),
    ((S.APPROVED, S.DISPATCHED, S.DELIVERED), 1.0),
    ((S.APPROVED, S.DISPATCHED, S.DELIVERED), 0.3),
    ((S.REJECTED,), 0.0),
    ((S.CANCELLED,), 0.0),
)


@dataclass(frozen=True, slots=True)
class _At:
    """A clock stopped at one moment of the demo week."""

    at: datetime

    def now(self) -> datetime:
        return self.at

    def monotonic(self) -> float:
        return self.at.timestamp()


def _near(rng: random.Random, lat: float, lng: float, km: float) -> tuple[float, float]:
    """A point uniformly inside ``km`` of (lat, lng) (small-distance approximation)."""
    r, angle = km * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    dlat = r * math.cos(angle) / 111.32
    dlng = r * math.sin(angle) / (111.32 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lng + dlng, 6)


def _contact(
    rng: random.Random, i: int, city: tuple[str, float, float], owner: UUID, territory: UUID | None
) -> CreateContact:
    first, last = rng.choice(FIRST.split()), rng.choice(LAST.split())
    kind = rng.choices(list(ContactType), weights=(45, 35, 12, 8))[0]
    name = {
        ContactType.DOCTOR: f"Dr. {first} {last}",
        ContactType.RETAILER: f"{last} {rng.choice(SHOPS)}",
        ContactType.WHOLESALER: f"{first} {rng.choice(TRADERS)}",
        ContactType.OTHER: f"{city[0]} Clinic {i}",
    }[kind]
    located = rng.random() > 0.08  # a few were never pinned: NO_CONTACT_LOCATION
    lat, lng = _near(rng, city[1], city[2], RADIUS_KM)
    return CreateContact(
        name=name,
        type=kind,
        owner_id=owner,
        territory_id=territory,
        phone=f"9{rng.choice('6789')}{rng.randrange(10**8):08d}",
        email=f"orders{i}@{last.lower()}.example.com" if kind is ContactType.WHOLESALER else None,
        city=city[0],
        latitude=lat if located else None,
        longitude=lng if located else None,
        tags=["key-account"] if rng.random() < 0.15 else [],
    )


def _principal(user: User) -> Principal:
    return Principal(user_id=user.id, company_id=user.company_id, role=user.role)


async def seed_fieldforce(
    deps: Deps, admin: Principal, managers: list[User], reps: list[User]
) -> None:
    """Territories, contacts, catalogue, a week of visits, orders and payments, targets
    and beat plans for the demo company."""
    rng = random.Random(42)  # noqa: S311 - demo data, not secrets
    team_city = {manager.id: CITIES[i % len(CITIES)] for i, manager in enumerate(managers)}
    tree = await seed_territories(
        deps, admin, {manager: city[0] for manager, city in team_city.items()}, reps
    )
    book: dict[UUID, list[Contact]] = {rep.id: [] for rep in reps}
    for i in range(CONTACTS):
        rep = reps[i % len(reps)]
        city = team_city.get(rep.manager_id or admin.user_id, CITIES[0])
        where = tree.territory_of(rep.id)
        maker = _principal(rep) if i % 10 == 0 else admin  # a rep's own find, one in ten
        contact = _contact(rng, i + 1, city, rep.id, where)
        book[rep.id].append(await create_contact(maker, contact, deps))
    products: list[Product] = []
    for i in range(PRODUCTS):
        drug, (form, price, tax) = DRUGS.split()[i % 8], FORMS[(i // 8) % len(FORMS)]
        cmd = CreateProduct(f"SKU-{i + 1:03d}", f"{drug} {form}", price + 100 * (i % 7), tax)
        products.append(await create_product(admin, cmd, deps))
    today = deps.clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    by_id = {m.id: m for m in managers}
    for i, rep in enumerate(reps):
        manager = _principal(by_id[rep.manager_id]) if rep.manager_id in by_id else admin
        for day in range(DAYS, 0, -1):
            week = _Week(rep, manager, book[rep.id], products, plan=i + day)
            await _rep_day(deps, rng, week, today - timedelta(days=day))
        await _target(deps, manager, rep, i)
    planned = [(rep, _principal(by_id[rep.manager_id]) if rep.manager_id in by_id else admin,
                book[rep.id]) for rep in reps]  # fmt: skip
    await seed_beats(deps, planned, today.date())


async def _target(deps: Deps, manager: Principal, rep: User, i: int) -> None:
    """The rep's target for the company's current month, set by their manager: a few
    lakh rupees of orders (the demo week takes some of it), collections, visits."""
    month = (await my_month(manager, None, deps)).month
    orders = 250_000_00 + 50_000_00 * (i % 3)  # paise
    cmd = SetTarget(rep.id, month, orders, orders * 6 // 10, 5 * 22, 4 + i % 3)
    await set_target(manager, cmd, deps)


@dataclass(frozen=True, slots=True)
class _Week:
    rep: User
    manager: Principal
    contacts: list[Contact]
    products: list[Product]
    plan: int  # which ORDER_PLANS entry today's order follows


async def _rep_day(deps: Deps, rng: random.Random, week: _Week, day: datetime) -> None:
    """A working day: punched in at 09:00 with a selfie (one day in seven the punch-out is forgotten
    and the next punch-in closes it, ``AUTO_CLOSED``), five visits (some flagged) and one
    order, taken at the third visit, punched out at 18:00."""
    me = _principal(week.rep)
    home = next((c.location for c in week.contacts if c.location), CITIES[0][1:])
    start = datetime.combine(day.date(), time(9, 0), tzinfo=day.tzinfo) - IST
    lat, lng = _near(rng, *home, 0.5)
    at_start = replace(deps, clock=_At(start))
    opened = await punch_in(me, PunchIn(lat, lng, 12.0), at_start)
    await add_selfie(me, opened.id, demo_photo(week.rep.id.int % 997 + start.day), at_start)
    for slot, at_time in enumerate(SLOTS):
        at = datetime.combine(day.date(), at_time, tzinfo=day.tzinfo) - IST
        contact = rng.choice(week.contacts)
        lat, lng = contact.location or home
        roll = rng.random()
        off_km = rng.uniform(0.5, 2.0) if roll < 0.1 else rng.uniform(0.01, 0.08)
        lat, lng = _near(rng, lat, lng, off_km)  # 10 % far off: OUT_OF_RANGE
        accuracy = 150.0 if 0.1 <= roll < 0.18 else round(rng.uniform(5, 40), 1)
        mock = 0.18 <= roll < 0.2
        cmd = CheckIn(
            contact.id, lat, lng, accuracy, checked_in_at=at, purpose="Routine call",
            mock_location=mock,
        )  # fmt: skip
        visit = await check_in(me, cmd, replace(deps, clock=_At(at)))
        out = replace(deps, clock=_At(at + timedelta(minutes=rng.randint(15, 45))))
        await check_out(me, visit.id, CheckOut(outcome="Met, discussed stock"), out)
        if slot == 2:
            await _order(out, rng, week, contact)
    if week.plan % 7:
        end = start + timedelta(hours=9)
        await punch_out(me, PunchOut(*_near(rng, *home, 0.5), 15.0), replace(deps, clock=_At(end)))


async def _order(deps: Deps, rng: random.Random, week: _Week, contact: Contact) -> None:
    rep = _principal(week.rep)
    path, paid = ORDER_PLANS[week.plan % len(ORDER_PLANS)]
    picks = rng.sample(week.products, k=rng.randint(1, 4))
    items = [ItemRequest(p.id, rng.randint(1, 20)) for p in picks]
    order = await create_order(rep, CreateOrder(contact.id, items), deps)
    for status in path:
        who = rep if status is OrderStatus.CANCELLED else week.manager
        reason = "Duplicate of an earlier order" if status in (S.REJECTED, S.CANCELLED) else None
        order = await update_order(who, order.id, UpdateOrder(status=status, reason=reason), deps)
    if paid:
        amount = order.total if paid >= 1 else max(1, int(order.total * paid))
        method = rng.choice(list(PaymentMethod))
        await record_payment(rep, RecordPayment(order.id, amount, method), deps)
