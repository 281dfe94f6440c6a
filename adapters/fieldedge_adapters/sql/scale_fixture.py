"""The scale fixture (``fieldedge seed --scale N``): one big tenant and fifty small ones,
written straight into a migrated Postgres database with ``COPY``.

At scale 1 the big company is a distributor two years in: 20 managers, 300 reps,
100,000 contacts clustered around eight cities, 2,000,000 visits over 730 days, a
photo's metadata for every fourth visit, 500,000 orders of one to five lines over 200
products, and a payment for most delivered orders. Beside it, 50 small companies with
a manager, three reps, 150 contacts, 600 visits and 150 orders each. ``scale`` shrinks
the big company (0.02 is the EXPLAIN tests' fixture: tens of thousands of rows); the
small ones stay as they are, so "a small tenant" means the same at every scale.

Rows are built as the repositories would store them (E.164 phones, trimmed lower-case
tags, each row's version a step of its company's change counter) but not through them:
the API would take hours for two million visits; ``COPY`` takes minutes. The writer must
bypass row-level security (the database owner or a superuser, as ``fieldedge migrate``
connects). Deterministic for a given ``seed``. Postgres only.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fieldedge.domain.orders import order_number
from fieldedge.errors import ConfigError

CITIES = (  # (name, lat, lng, weight): most contacts in the first few
    ("Mumbai", 19.0760, 72.8777, 26),
    ("Pune", 18.5204, 73.8567, 20),
    ("Delhi", 28.6139, 77.2090, 16),
    ("Bengaluru", 12.9716, 77.5946, 12),
    ("Hyderabad", 17.3850, 78.4867, 9),
    ("Chennai", 13.0827, 80.2707, 8),
    ("Ahmedabad", 23.0225, 72.5714, 5),
    ("Nashik", 19.9975, 73.7898, 4),
)
FIRST = (
    "Amit",
    "Priya",
    "Rahul",
    "Sneha",
    "Vikram",
    "Anjali",
    "Suresh",
    "Kavita",
    "Rohan",
    "Meera",
    "Arjun",
    "Divya",
    "Sanjay",
    "Pooja",
    "Nikhil",
    "Lakshmi",
    "Farhan",
    "Zoya",
    "José",
    "Renée",
    "Дмитрий",
    "Ελένη",
    "राजेश",
    "美咲",
)
LAST = (
    "Sharma",
    "Patel",
    "Rao",
    "Iyer",
    "Mehta",
    "Khan",
    "Reddy",
    "Joshi",
    "Nair",
    "Gupta",
    "Desai",
    "Kulkarni",
    "Menon",
    "Chopra",
    "Bose",
    "Pillai",
    "Müller",
    "Иванов",
    "Παππάς",
)
SHOPS = (
    "Medicals",
    "Pharma",
    "Clinic",
    "Stores",
    "Traders",
    "Wholesale",
    "Hospital",
    "Chemist",
    "Agencies",
    "Distributors",
)
TAGS = ("key account", "cardio", "diabetes", "new", "credit hold", "rural", "chain")
RARE_TAG = "vip"  # on 0.3 % of contacts: a tag the GIN index, not a walk, should serve
TYPES = ("DOCTOR", "RETAILER", "WHOLESALER", "OTHER")
ORDER_STATUSES = (
    ("DELIVERED", 62),
    ("DISPATCHED", 8),
    ("APPROVED", 10),
    ("PENDING", 12),
    ("REJECTED", 4),
    ("CANCELLED", 4),
)
METHODS = ("CASH", "UPI", "CHEQUE", "BANK_TRANSFER", "CARD")
DAYS = 730
SMALL_TENANTS = 50


@dataclass(frozen=True, slots=True)
class Shape:
    managers: int
    reps: int
    contacts: int
    visits: int
    orders: int
    products: int


def big_shape(scale: float) -> Shape:
    def part(n: int, least: int) -> int:
        return max(least, round(n * scale))

    return Shape(
        part(20, 1),
        part(300, 3),
        part(100_000, 200),
        part(2_000_000, 1000),
        part(500_000, 250),
        part(200, 20),
    )


SMALL = Shape(managers=1, reps=3, contacts=150, visits=600, orders=150, products=20)


@dataclass
class Company:
    """What a seeded company holds that a bench or a test asks for by name."""

    id: uuid.UUID
    name: str
    admin_email: str
    manager_ids: list[uuid.UUID] = field(default_factory=list)
    rep_ids: list[uuid.UUID] = field(default_factory=list)
    rep_emails: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class ScaleWorld:
    big: Company
    small: list[Company]
    seconds: float


class _Tenant:
    """One company's rows under construction: ids, and its change counter."""

    def __init__(self, rng: random.Random, company_id: uuid.UUID) -> None:
        self.rng, self.id, self.version = rng, company_id, 0

    def next_version(self) -> int:
        self.version += 1
        return self.version


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _weighted(rng: random.Random, pairs: tuple[tuple[Any, int], ...] | Any) -> Any:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


async def seed_scale(
    dsn: str,
    scale: float = 1.0,
    *,
    shape: Shape | None = None,
    seed: int = 15,
    password_hash: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScaleWorld:
    """Fill the migrated database at ``dsn`` (a plain ``postgresql://`` DSN); ``shape``
    replaces the big company's scaled shape (the EXPLAIN tests ask for many contacts
    but fewer visits)."""
    import asyncpg

    started = time.monotonic()
    say = progress or (lambda _line: None)
    rng = random.Random(seed)  # noqa: S311  (fixture data, reproducible by design)
    now = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    connection = await asyncpg.connect(dsn)
    try:
        if await connection.fetchval("SELECT count(*) FROM companies"):
            raise ConfigError("the scale fixture fills an empty database; this one has companies")
        big = await _company(
            connection,
            rng,
            now,
            "Scale Distributors",
            "scale",
            shape or big_shape(scale),
            password_hash,
            say,
        )
        small = []
        for i in range(SMALL_TENANTS):
            small.append(
                await _company(
                    connection,
                    rng,
                    now,
                    f"Small Tenant {i:02d}",
                    f"small{i:02d}",
                    SMALL,
                    password_hash,
                    None,
                )
            )
        say(f"{SMALL_TENANTS} small tenants")
        # VACUUM too: COPY leaves the GIN indexes' new entries in their pending lists,
        # which the planner prices so high it scans instead (autovacuum would, later).
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()
    return ScaleWorld(big=big, small=small, seconds=time.monotonic() - started)


async def _company(
    connection: Any,
    rng: random.Random,
    now: datetime,
    name: str,
    slug: str,
    shape: Shape,
    password_hash: str | None,
    say: Callable[[str], None] | None,
) -> Company:
    t = _Tenant(rng, _uuid(rng))
    company = Company(id=t.id, name=name, admin_email=f"admin@{slug}.example.com")
    created = now - timedelta(days=DAYS + 1)
    await connection.execute(
        "INSERT INTO companies (id, name, status, geofence_radius_m, timezone, currency, country,"
        " change_counter, created_at, updated_at) VALUES ($1, $2, 'ACTIVE', 200, 'Asia/Kolkata',"
        " 'INR', 'IN', 0, $3, $3)",
        t.id,
        name,
        created,
    )

    users: list[tuple[Any, ...]] = []

    def user(email: str, role: str, manager: uuid.UUID | None) -> uuid.UUID:
        user_id = _uuid(rng)
        users.append(
            (
                user_id,
                t.id,
                email,
                email.split("@")[0],
                role,
                manager,
                password_hash,
                True,
                t.next_version(),
                created,
                created,
            )
        )
        return user_id

    user(company.admin_email, "ADMIN", None)
    company.manager_ids = [
        user(f"manager{m}@{slug}.example.com", "MANAGER", None) for m in range(shape.managers)
    ]
    for r in range(shape.reps):
        email = f"rep{r}@{slug}.example.com"
        company.rep_ids.append(user(email, "SALES_REP", company.manager_ids[r % shape.managers]))
        company.rep_emails.append(email)
    await _copy(
        connection,
        "users",
        (
            "id",
            "company_id",
            "email",
            "name",
            "role",
            "manager_id",
            "password_hash",
            "active",
            "version",
            "created_at",
            "updated_at",
        ),
        users,
    )

    products = [
        (
            _uuid(rng),
            t.id,
            f"SKU-{p:04d}",
            f"Product {p}",
            rng.randrange(500, 90_000),
            rng.choice((0, 500, 1200, 1800)),
            True,
            t.next_version(),
            created,
            created,
        )
        for p in range(shape.products)
    ]
    await _copy(
        connection,
        "products",
        (
            "id",
            "company_id",
            "sku",
            "name",
            "unit_price",
            "tax_rate_bp",
            "active",
            "version",
            "created_at",
            "updated_at",
        ),
        products,
    )

    contacts = list(_contacts(t, company.rep_ids, shape.contacts, created))
    await _copy(connection, "contacts", CONTACT_COLUMNS, contacts)
    if say:
        say(f"{name}: {len(users)} users, {len(contacts)} contacts")
    spots = [(row[0], row[3], row[9], row[10]) for row in contacts]  # id, owner, lat, lng
    by_rep: dict[uuid.UUID, list[tuple[Any, ...]]] = {}
    for spot in spots:
        by_rep.setdefault(spot[1], []).append(spot)
    visits = 0
    photos: list[tuple[Any, ...]] = []
    for batch in _batches(_visits(t, by_rep, shape.visits, now, photos), 100_000):
        await _copy(connection, "visits", VISIT_COLUMNS, batch)
        visits += len(batch)
        await _copy(connection, "visit_photos", PHOTO_COLUMNS, photos)
        photos.clear()
        if say:
            say(f"{name}: {visits} visits")
    payments: list[tuple[Any, ...]] = []
    orders = 0
    for batch in _batches(_orders(t, by_rep, products, shape.orders, now, payments), 50_000):
        await _copy(connection, "orders", ORDER_COLUMNS, batch)
        orders += len(batch)
        await _copy(connection, "payments", PAYMENT_COLUMNS, payments)
        payments.clear()
    if say:
        say(f"{name}: {orders} orders")
    await connection.execute(
        "UPDATE companies SET change_counter = $2, order_seq = $3 WHERE id = $1",
        t.id,
        t.version,
        orders,
    )
    company.counts = {
        "contacts": len(contacts),
        "visits": visits,
        "orders": orders,
        "users": len(users),
    }
    return company


CONTACT_COLUMNS = (
    "id",
    "company_id",
    "type",
    "owner_id",
    "created_by",
    "name",
    "phone",
    "city",
    "address",
    "latitude",
    "longitude",
    "tags",
    "version",
    "field_versions",
    "created_at",
    "updated_at",
)


def _contacts(
    t: _Tenant, reps: list[uuid.UUID], count: int, created: datetime
) -> Iterator[tuple[Any, ...]]:
    rng = t.rng
    phones: set[str] = set()
    for i in range(count):
        city, lat, lng, _ = _weighted(rng, tuple((c, c[3]) for c in CITIES))
        spread = 0.05 if rng.random() < 0.7 else 0.15  # a dense core, then the suburbs
        lat, lng = lat + rng.gauss(0, spread), lng + rng.gauss(0, spread)
        phone = f"+91{rng.randrange(6, 10)}{rng.randrange(10**8, 10**9)}"
        while phone in phones:
            phone = f"+91{rng.randrange(6, 10)}{rng.randrange(10**8, 10**9)}"
        phones.add(phone)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(SHOPS)}"
        tags = set(rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2, 3))))
        if rng.random() < 0.003:
            tags.add(RARE_TAG)
        owner = reps[i % len(reps)]
        at = created + timedelta(minutes=i)
        yield (
            _uuid(rng),
            t.id,
            rng.choice(TYPES),
            owner,
            owner,
            name,
            phone,
            rng.choice((city, city, city.upper(), city.lower())),
            f"{i} Main Road",
            lat,
            lng,
            json.dumps(sorted(tags)),
            t.next_version(),
            "{}",
            at,
            at,
        )


VISIT_COLUMNS = (
    "id",
    "company_id",
    "contact_id",
    "user_id",
    "latitude",
    "longitude",
    "accuracy_m",
    "checked_in_at",
    "purpose",
    "distance_m",
    "verified",
    "flags",
    "checked_out_at",
    "outcome",
    "version",
    "field_versions",
    "created_at",
    "updated_at",
)
PHOTO_COLUMNS = (
    "id",
    "company_id",
    "visit_id",
    "key",
    "content_type",
    "size",
    "sha256",
    "status",
    "created_at",
    "version",
    "updated_at",
    "captured_at",
)


def _visits(
    t: _Tenant,
    by_rep: dict[uuid.UUID, list[tuple[Any, ...]]],
    count: int,
    now: datetime,
    photos: list[tuple[Any, ...]],
) -> Iterator[tuple[Any, ...]]:
    rng, reps = t.rng, list(by_rep)
    start = now - timedelta(days=DAYS)
    for i in range(count):
        rep = reps[i % len(reps)]
        contact_id, _, lat, lng = rng.choice(by_rep[rep])
        # Spread over two years in order (versions follow time), 09:00-19:00 IST.
        day = start + timedelta(days=i * DAYS // count)
        at = day.replace(hour=3, minute=30) + timedelta(seconds=rng.randrange(36_000))
        out = at + timedelta(minutes=rng.randrange(5, 45))
        visit_id = _uuid(rng)
        yield (
            visit_id,
            t.id,
            contact_id,
            rep,
            lat + rng.gauss(0, 0.0003),
            lng + rng.gauss(0, 0.0003),
            rng.uniform(5, 40),
            at,
            "Routine call",
            rng.uniform(0, 60),
            True,
            "[]",
            out,
            "PRODUCTIVE" if i % 3 else None,
            t.next_version(),
            "{}",
            at,
            out,
        )
        if i % 4 == 0:
            photo = _uuid(rng)
            photos.append(
                (
                    photo,
                    t.id,
                    visit_id,
                    f"{t.id}/visits/{visit_id}/{photo}.jpg",
                    "image/jpeg",
                    rng.randrange(80_000, 900_000),
                    f"{rng.getrandbits(256):064x}",
                    "READY",
                    at,
                    t.next_version(),
                    at,
                    at,
                )
            )


ORDER_COLUMNS = (
    "id",
    "company_id",
    "number",
    "contact_id",
    "user_id",
    "status",
    "items",
    "currency",
    "subtotal",
    "tax",
    "total",
    "amount_paid",
    "approved_by",
    "approved_at",
    "dispatched_at",
    "delivered_at",
    "version",
    "field_versions",
    "created_at",
    "updated_at",
)
PAYMENT_COLUMNS = (
    "id",
    "company_id",
    "order_id",
    "user_id",
    "amount",
    "method",
    "reference",
    "received_at",
    "version",
    "created_at",
    "updated_at",
)


def _orders(
    t: _Tenant,
    by_rep: dict[uuid.UUID, list[tuple[Any, ...]]],
    products: list[tuple[Any, ...]],
    count: int,
    now: datetime,
    payments: list[tuple[Any, ...]],
) -> Iterator[tuple[Any, ...]]:
    rng, reps = t.rng, list(by_rep)
    start = now - timedelta(days=DAYS)
    for i in range(count):
        rep = reps[i % len(reps)]
        contact_id = rng.choice(by_rep[rep])[0]
        at = start + timedelta(seconds=i * DAYS * 86_400 // count)
        items, subtotal, tax = [], 0, 0
        for product in rng.sample(products, rng.randrange(1, 6)):
            quantity = rng.randrange(1, 25)
            line = product[4] * quantity
            line_tax = line * product[5] // 10_000
            items.append(
                {
                    "product_id": str(product[0]),
                    "sku": product[2],
                    "name": product[3],
                    "quantity": quantity,
                    "unit_price": product[4],
                    "tax_rate_bp": product[5],
                    "line_subtotal": line,
                    "line_tax": line_tax,
                    "line_total": line + line_tax,
                }
            )
            subtotal, tax = subtotal + line, tax + line_tax
        total = subtotal + tax
        status = _weighted(rng, ORDER_STATUSES)
        approved = (
            at + timedelta(hours=2) if status in ("APPROVED", "DISPATCHED", "DELIVERED") else None
        )
        dispatched = at + timedelta(days=1) if status in ("DISPATCHED", "DELIVERED") else None
        delivered = at + timedelta(days=2) if status == "DELIVERED" else None
        paid = 0
        if status == "DELIVERED" and rng.random() < 0.85:
            paid = total if rng.random() < 0.8 else total // 2
        order_id = _uuid(rng)
        yield (
            order_id,
            t.id,
            order_number(i + 1),
            contact_id,
            rep,
            status,
            json.dumps(items),
            "INR",
            subtotal,
            tax,
            total,
            paid,
            approved and rep,
            approved,
            dispatched,
            delivered,
            t.next_version(),
            "{}",
            at,
            delivered or at,
        )
        if paid:
            received = (delivered or at) + timedelta(days=rng.randrange(0, 20))
            payments.append(
                (
                    _uuid(rng),
                    t.id,
                    order_id,
                    rep,
                    paid,
                    rng.choice(METHODS),
                    None,
                    received,
                    t.next_version(),
                    received,
                    received,
                )
            )


def _batches(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


async def _copy(connection: Any, table: str, columns: tuple[str, ...], rows: list[Any]) -> None:
    if rows:
        await connection.copy_records_to_table(table, records=rows, columns=list(columns))
