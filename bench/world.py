"""Seeding, done before the measured server starts: a throwaway server process (not the
measured one, so the measured RSS holds no seeding garbage) registers a company, a rep
with 25 contacts and three products, and logs the rep in; then the crowd: 50 more reps
of that company and 50 companies of their own, each with a contact."""

from __future__ import annotations

import json
import random
from typing import Any

import httpx

PASSWORD = "a-long-enough-passphrase"
CROWD = 50  # reps checking in at once: in one company, and one each in as many companies


def seed(base: str, crowd_size: int = CROWD) -> dict[str, Any]:
    """The world; ``crowd_size=0`` leaves the crowd out (the contact list needs none)."""
    c = httpx.Client(base_url=base, timeout=30)
    email = "bench-admin@example.com"
    body = {"companyName": "Bench", "name": "Admin", "email": email, "password": PASSWORD}
    registered = c.post("/api/v1/auth/register", json=body)
    registered.raise_for_status()
    admin = {"Authorization": "Bearer " + registered.json()["data"]["accessToken"]}
    rep_body = {"name": "Rep", "email": "rep-" + email, "role": "SALES_REP", "password": PASSWORD}
    rep = c.post("/api/v1/users", json=rep_body, headers=admin)
    rep.raise_for_status()
    rep_id = rep.json()["data"]["id"]
    rng = random.Random(42)
    contacts = []
    for i in range(25):
        lat, lng = 18.52 + rng.uniform(-0.1, 0.1), 73.85 + rng.uniform(-0.1, 0.1)
        contact = {
            "name": f"Contact {i}",
            "type": "RETAILER",
            "ownerId": rep_id,
            "city": "Pune",
            "latitude": lat,
            "longitude": lng,
        }
        response = c.post("/api/v1/contacts", json=contact, headers=admin)
        response.raise_for_status()
        contacts.append(response.json()["data"])
    products = []
    for i in range(3):
        product = {"sku": f"B-{i}", "name": f"Item {i}", "unitPrice": 1000 + i, "taxRateBp": 1800}
        response = c.post("/api/v1/products", json=product, headers=admin)
        response.raise_for_status()
        products.append(response.json()["data"]["id"])
    login = {"email": "rep-" + email, "password": PASSWORD}
    token = c.post("/api/v1/auth/login", json=login).json()["data"]["accessToken"]
    c.close()
    crowd = (
        seed_crowd(base, registered.json()["data"]["accessToken"], crowd_size)
        if crowd_size
        else {"one": [], "many": []}
    )
    return {
        "token": token,
        "contacts": contacts,
        "products": products,
        "login": login,
        "crowd": crowd,
    }


def _contact(c: httpx.Client, auth: dict[str, str], owner: str | None, rng: random.Random) -> str:
    lat, lng = 18.52 + rng.uniform(-0.1, 0.1), 73.85 + rng.uniform(-0.1, 0.1)
    contact = {
        "name": "Shop",
        "type": "RETAILER",
        "city": "Pune",
        "latitude": lat,
        "longitude": lng,
    }
    if owner:
        contact["ownerId"] = owner
    response = c.post("/api/v1/contacts", json=contact, headers=auth)
    response.raise_for_status()
    data = response.json()["data"]
    body = {"contactId": data["id"], "latitude": lat, "longitude": lng, "accuracyM": 10}
    return json.dumps(body)


def seed_crowd(base: str, admin_token: str, n: int) -> dict[str, list[tuple[str, str]]]:
    """``n`` reps of the bench company and ``n`` companies of one admin each, every one with
    a contact of their own: (token, check-in body) pairs for the two crowd scenarios."""
    c = httpx.Client(base_url=base, timeout=30)
    rng = random.Random(11)
    admin = {"Authorization": f"Bearer {admin_token}"}
    one, many = [], []
    for i in range(n):  # bounded: n reps
        email = f"crowd-rep-{i}@example.com"
        rep = {"name": f"Rep {i}", "email": email, "role": "SALES_REP", "password": PASSWORD}
        created = c.post("/api/v1/users", json=rep, headers=admin)
        created.raise_for_status()
        login = c.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        login.raise_for_status()
        token = login.json()["data"]["accessToken"]
        one.append((token, _contact(c, admin, created.json()["data"]["id"], rng)))
    for i in range(n):  # bounded: n companies
        body = {
            "companyName": f"Crowd {i}",
            "name": "Admin",
            "email": f"crowd-admin-{i}@example.com",
            "password": PASSWORD,
        }
        registered = c.post("/api/v1/auth/register", json=body)
        registered.raise_for_status()
        token = registered.json()["data"]["accessToken"]
        many.append((token, _contact(c, {"Authorization": f"Bearer {token}"}, None, rng)))
    c.close()
    return {"one": one, "many": many}
