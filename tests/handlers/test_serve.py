"""The README's run command on a fresh directory: migrates, seeds the demo company, prints
its logins, serves; a demo login works over real HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from fieldedge.services.demo.seed import PASSWORD
from fixtures.services import free_port

FIELDEDGE = Path(sys.executable).with_name("fieldedge")


def test_serve_demo_on_embedded_defaults(tmp_path: Path) -> None:
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "KV_", "STORAGE_", "MAIL_", "JWT_", "FIELDEDGE_ENV"))
    }
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
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=15)
    assert "admin@demo.fieldedge.dev" in stdout, stderr
    assert PASSWORD in stdout
    assert (tmp_path / "var" / "fieldedge.db").exists()
    assert (tmp_path / "var" / "jwt_secret").exists()
