"""A started server has its start-up heap frozen out of the collector's walks."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from fieldedge_handlers.heap import YOUNGEST


def test_the_servers_lifespan_freezes_what_start_up_built(tmp_path: Path) -> None:
    probe = textwrap.dedent(
        f"""
        import asyncio, gc
        from fieldedge_handlers.asgi import create_from
        from fieldedge_handlers.bootstrap import build_deps, load_settings

        settings = load_settings(
            database_url="sqlite+aiosqlite:///{tmp_path}/heap.db",
            jwt_secret="x" * 40,
            storage_url="file://{tmp_path}/storage",
        )
        app = create_from(build_deps(settings))
        before = gc.get_freeze_count()

        async def main():
            async with app.router.lifespan_context(app):
                print(before, gc.get_freeze_count(), gc.get_threshold()[0])

        asyncio.run(main())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    before, frozen, youngest = map(int, out.stdout.split())
    assert before == 0
    assert frozen > 10_000  # the modules, schemas and routes the app was built from
    assert youngest == YOUNGEST
