"""The README's run command on a fresh directory: migrates, seeds the demo company, prints
its logins, serves; a demo login works over real HTTP."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from fieldedge.services.demo.seed import PASSWORD
from fixtures.services import free_port

pytestmark = pytest.mark.slow  # starts processes: run first (tests/conftest.py)

FIELDEDGE = Path(sys.executable).with_name("fieldedge")


def laptop_env() -> dict[str, str]:
    """A developer's shell: none of fieldedge's settings."""
    prefixes = ("DATABASE_", "KV_", "STORAGE_", "MAIL_", "JWT_", "FIELDEDGE_ENV", "PUBLIC_")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


def test_serve_demo_on_embedded_defaults(tmp_path: Path) -> None:
    port = free_port()
    env = laptop_env()
    process = subprocess.Popen(
        [str(FIELDEDGE), "serve", "--demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # bounded: 60 s (the demo seed runs first)
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        login = httpx.post(
            f"{base}/api/v1/auth/login",
            json={"email": "admin@demo.fieldedge.dev", "password": PASSWORD},
        )
        assert login.status_code == 200, login.text
        token = login.json()["data"]["accessToken"]
        me = httpx.get(f"{base}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["data"]["company"]["name"] == "Sahyadri Pharma Distributors"
        upload_url = _an_upload_url(base)
        assert upload_url.startswith(f"{base}/api/files/"), upload_url  # --port, not 8000
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=15)
    assert "admin@demo.fieldedge.dev" in stdout, stderr
    assert PASSWORD in stdout
    assert (tmp_path / "var" / "fieldedge.db").exists()
    assert (tmp_path / "var" / "jwt_secret").exists()
    company_id = re.search(r"its id \(for --company\): ([0-9a-f-]{36})", stdout)
    assert company_id is not None, stdout
    # Operator commands right after, in the same directory and shell, find the same dev
    # settings: by the printed id, or by the company's name.
    for ref in (company_id.group(1), "sahyadri pharma distributors"):
        verify = operator(tmp_path, env, "audit", "verify", "--company", ref)
        assert verify.returncode == 0, verify.stderr
        assert "0 problems" in verify.stdout
    export = operator(tmp_path, env, "export", "--company", "Sahyadri Pharma Distributors")
    assert export.returncode == 0, export.stderr
    assert f"link  {base}/api/files/" in export.stdout


def operator(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FIELDEDGE), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def _an_upload_url(base: str) -> str:
    """A demo rep checks in at one of their contacts and asks for a presigned upload."""
    login = httpx.post(
        f"{base}/api/v1/auth/login",
        json={"email": "rahul@demo.fieldedge.dev", "password": PASSWORD},
    )
    headers = {"Authorization": f"Bearer {login.json()['data']['accessToken']}"}
    contact = httpx.get(f"{base}/api/v1/contacts?limit=1", headers=headers).json()["data"][0]
    visit = httpx.post(
        f"{base}/api/v1/visits",
        headers=headers,
        json={
            "contactId": contact["id"],
            "latitude": contact["latitude"],
            "longitude": contact["longitude"],
            "accuracyM": 10,
        },
    )
    assert visit.status_code == 201, visit.text
    ticket = httpx.post(
        f"{base}/api/v1/visits/{visit.json()['data']['id']}/photos/upload-url",
        headers=headers,
        json={"contentType": "image/jpeg"},
    )
    assert ticket.status_code == 201, ticket.text
    return str(ticket.json()["data"]["uploadUrl"])


def test_serve_on_an_unmigrated_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    env = {
        **laptop_env(),
        "FIELDEDGE_ENV": "prod",
        "JWT_SECRET": "s" * 40,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/never-migrated.db",
    }
    result = operator(tmp_path, env, "serve", "--port", str(free_port()))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        line for line in result.stderr.strip().splitlines() if line.startswith("fieldedge: ")
    ]
    assert "fieldedge migrate up" in result.stderr
