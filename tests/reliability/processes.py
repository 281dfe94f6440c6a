"""Fieldedge as its container runs it, in a process of its own, and a company made over
HTTP: for the reliability tests that run two instances or kill one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from typing import Any

import httpx

from fixtures.identity_api import PASSWORD, bearer
from fixtures.services import free_port

SECRET = "reliability-secret-" + "t" * 32
TIMEOUT_S = 30.0  # a bound, not a measurement: generous for a loaded two-core CI


def start(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "fieldedge_handlers.cloudrun"],
        env={**os.environ, **env, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):  # bounded: 15 s
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{base}/api/health/live", timeout=0.5).status_code == 200:
                return process, base
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise AssertionError(process.communicate(timeout=TIMEOUT_S)[1])


def stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM, then SIGKILL when it has not exited in time."""
    if process.poll() is None:
        process.terminate()
    try:
        process.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


def data(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()["data"]


async def company(a: httpx.AsyncClient, b: httpx.AsyncClient) -> dict[str, str]:
    """A company registered on A, its rep created on B; tokens, a product, a contact."""
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    body = {"companyName": "Acme", "name": "Asha", "email": email, "password": PASSWORD}
    admin = data(await a.post("/api/v1/auth/register", json=body | {"timezone": "UTC"}), 201)
    rep_email = f"rep-{uuid.uuid4().hex[:8]}@example.com"
    user = {"name": "Ravi", "email": rep_email, "role": "SALES_REP", "password": PASSWORD}
    data(await b.post("/api/v1/users", json=user, headers=bearer(admin["accessToken"])), 201)
    rep = data(await a.post("/api/v1/auth/login", json={"email": rep_email, "password": PASSWORD}))
    product = {"sku": "PEN", "name": "Gel pen", "unitPrice": 1250}
    pen = data(
        await b.post("/api/v1/products", json=product, headers=bearer(admin["accessToken"])), 201
    )
    shop = data(
        await a.post(
            "/api/v1/contacts", json={"name": "Corner Shop"}, headers=bearer(rep["accessToken"])
        ),
        201,
    )
    return {
        "admin": admin["accessToken"],
        "rep": rep["accessToken"],
        "rep_refresh": rep["refreshToken"],
        "rep_email": rep_email,
        "product": pen["id"],
        "contact": shop["id"],
    }
