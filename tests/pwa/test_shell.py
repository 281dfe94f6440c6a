"""The PWA's shell as shipped in the package: small, complete, installable, and served
with the headers that let it ask for the position and the camera."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import httpx
import pytest
from PIL import Image

from fieldedge.http import create_app
from fieldedge.http.routes.pwa import SHELL_DIR
from fixtures.app import make_deps

ROOT = Path(__file__).resolve().parents[2]
BUDGET_GZIP_BYTES = 250 * 1024


def shell_files() -> list[Path]:
    return sorted(p for p in SHELL_DIR.rglob("*") if p.is_file())


def test_the_whole_shell_is_under_250_kb_gzipped() -> None:
    sizes = {p.name: len(gzip.compress(p.read_bytes(), 9)) for p in shell_files()}
    assert sum(sizes.values()) < BUDGET_GZIP_BYTES, sizes


def test_the_service_worker_precaches_every_shell_file_under_a_version_of_their_bytes() -> None:
    sw = (SHELL_DIR / "sw.js").read_text()
    listed = set(re.findall(r'"([^"]+)"', sw[sw.index("SHELL = [") : sw.index("];")]))
    files = {p.relative_to(SHELL_DIR).as_posix() for p in shell_files()} - {"sw.js"}
    assert listed - {"./"} == files
    digest = hashlib.sha256()
    for path in shell_files():
        if path.name != "sw.js":
            digest.update(path.relative_to(SHELL_DIR).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    version = f"shell-{digest.hexdigest()[:12]}"
    assert f'const VERSION = "{version}";' in sw, f"set VERSION in sw.js to {version}"


def test_the_shipped_idb_is_the_locked_package() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["idb"]
    assert lock["packages"]["node_modules/idb"]["version"] == pinned
    installed = ROOT / "node_modules" / "idb"
    if not installed.exists():
        pytest.skip("node_modules absent (npm ci): the lock's pin is checked above")
    assert json.loads((installed / "package.json").read_text())["version"] == pinned
    shipped = (SHELL_DIR / "vendor" / "idb.js").read_bytes()
    assert shipped == (installed / "build" / "index.js").read_bytes(), "run npm run build:pwa"


def test_the_manifest_makes_the_app_installable() -> None:
    manifest = json.loads((SHELL_DIR / "manifest.webmanifest").read_text())
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == manifest["scope"] == "./"
    sizes = set()
    for icon in manifest["icons"]:
        with Image.open(SHELL_DIR / icon["src"]) as image:
            assert icon["sizes"] == f"{image.width}x{image.height}"
            assert image.format == "PNG"
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes


async def test_the_app_serves_the_shell_with_its_own_policy(tmp_path: Path) -> None:
    app = create_app(make_deps(tmp_path, None))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        page = await client.get("/app/")
        assert page.status_code == 200
        assert '<link rel="manifest" href="manifest.webmanifest">' in page.text
        assert "geolocation=(self)" in page.headers["permissions-policy"]
        assert "connect-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-cache"
        script = await client.get("/app/js/app.js")
        assert script.headers["content-type"].startswith("text/javascript")
        # Every API answer still forbids both.
        health = await client.get("/api/health/live")
        assert "geolocation=()" in health.headers["permissions-policy"]
        assert health.headers["content-security-policy"].startswith("default-src 'none'")
        # A link from an email opens the app on that screen.
        link = await client.get("/app/orders/0190c59f-0000-7000-8000-000000000001")
        assert link.status_code == 303
        assert link.headers["location"] == "/app/#/orders/0190c59f-0000-7000-8000-000000000001"
        assert (await client.get("/app/missing.js")).status_code == 404
