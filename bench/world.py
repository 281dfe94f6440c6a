"""Seeding, done before the measured server starts: a throwaway server process (not the
measured one, so the measured RSS holds no seeding garbage) registers a company, a rep
with 25 contacts and three products, and logs the rep in."""

from __future__ import annotations

import random
from typing import Any

import httpx

PASSWORD = "a-long-enough-passphrase"


def seed(base: str) -> dict[str, Any]:
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
    return {"token": token, "contacts": contacts, "products": products, "login": login}
