"""The reference PWA in a real browser: Debian's chromium driven by Playwright, against a
real ``fieldedge serve --demo`` process, one per module and backend.

Chromium missing skips locally and fails under ``CI=true`` (as Postgres and Redis do):
CI installs it with apt-get in ``.ci/run``. Never ``playwright install``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from reliability.processes import stop

# Its own thread: Playwright's event loop runs on this one once a browser is up.
from fixtures.database import run_async
from fixtures.services import _admin, free_port, unavailable, with_database

CHROMIUM = Path("/usr/bin/chromium")
FIELDEDGE = str(Path(sys.executable).with_name("fieldedge"))
DEMO_PASSWORD = "fieldedge-demo-2026"
REP = "rahul@demo.fieldedge.dev"
MANAGER = "priya@demo.fieldedge.dev"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "pwa"
START_S = 90  # migrating and seeding the demo company on a cold Postgres


class Server:
    def __init__(self, base: str, backend: str, log: Path) -> None:
        self.base = base
        self.backend = backend
        self.log = log  # its output: the console mailer's messages are in it
        self.app = f"{base}/app/"

    def api(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=f"{self.base}/api/v1", headers=headers, timeout=10)

    def token(self, email: str) -> str:
        with self.api() as api:
            body = {"email": email, "password": DEMO_PASSWORD}
            response = api.post("/auth/login", json=body)
            assert response.status_code == 200, response.text
            return str(response.json()["data"]["accessToken"])

    def mailed_link(self, to: str, path: str) -> str:
        """The last link to ``path`` mailed to ``to``, read from the console mailer's log
        line (polled, bounded: the mail is sent as the request ends)."""
        pattern = re.compile(rf"{re.escape(path)}\?token=([A-Za-z0-9_.%~-]+)")
        for _ in range(100):
            lines = [line for line in self.log.read_text().splitlines() if to in line]
            found = [m for line in lines for m in pattern.findall(line)]
            if found:
                return f"{self.app}{path.lstrip('/')}?token={found[-1]}"
            time.sleep(0.1)
        raise AssertionError(f"no {path} link mailed to {to}")


def _live(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/health/live", timeout=0.5).status_code == 200
    except httpx.TransportError:
        return False


def _wait_until_up(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    """Polls (bounded) until the server answers; its log is the failure message."""
    attempts = START_S * 10
    while process.poll() is None and attempts and not _live(base):
        attempts -= 1
        time.sleep(0.1)
    if process.poll() is not None or not attempts:
        raise AssertionError(f"server did not start: {log.read_text()}")


@contextmanager
def _serve(backend: str, work: Path, admin: str | None) -> Iterator[Server]:
    """``fieldedge serve --demo`` as a developer runs it, in a directory of its own."""
    env = {**os.environ, "ARGON2_MEMORY_KIB": "1024", "ARGON2_TIME_COST": "1",
           "RATE_AUTH_EMAIL_PER_MIN": "30"}  # fmt: skip
    for name in ("FIELDEDGE_ENV", "DATABASE_URL", "KV_URL", "STORAGE_URL", "JWT_SECRET"):
        env.pop(name, None)
    database = f"fieldedge_pwa_{uuid.uuid4().hex[:12]}"
    if admin:
        run_async(lambda: _admin(admin, f'CREATE DATABASE "{database}"'))
        env["DATABASE_URL"] = with_database(admin, database)
    port = free_port()
    log = work / "server.log"
    with log.open("wb") as out:
        command = [FIELDEDGE, "serve", "--demo", "--port", str(port)]
        process = subprocess.Popen(command, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, base, log)
        yield Server(base, backend, log)
    finally:
        stop(process)
        if admin:
            drop = f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'
            run_async(lambda: _admin(admin, drop))


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    admin = request.getfixturevalue("postgres_server_url") if request.param == "postgres" else None
    with _serve(request.param, tmp_path_factory.mktemp(f"pwa-{request.param}"), admin) as up:
        yield up


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def shot(page: Any, server: Server, name: str) -> None:
    """A screenshot for docs/pwa.md: taken on the SQLite run only, so runs never race."""
    if server.backend == "sqlite":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))
