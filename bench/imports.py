"""Bulk import (issue 14): a 50,000-row products CSV through ``POST /api/v1/imports``'s
path, rows/s and peak RSS.

    .venv/bin/python -m bench.imports [sqlite|postgres] [--rows N]   # postgres: 127.0.0.1:5432

A fresh migrated database and one company; the CSV is generated, stored as an upload
(``start_import``), then the outbox runs the job until it is done (continuations
included) in this process. Printed: rows/s of the job, RSS before the job and its
peak during it (``/proc/self/status`` VmRSS sampled every 20 ms, and ``ru_maxrss``),
the outcome counts; and, in the same run, the baseline: the same rows written by
a plain batched ``INSERT`` (500 rows a transaction) into a second company, so the
ratio stays honest on a noisy machine. A second, smaller file (a tenth) is run first
for the memory comparison: bounded memory means the peak barely grows with the file.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Sampler:
    """The highest RSS seen while running (a thread, so a busy event loop is sampled too)."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_kib())

    def __enter__(self) -> Sampler:
        self.peak = _rss_kib()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def csv_bytes(rows: int, prefix: str = "SKU") -> bytes:
    lines = ["sku,name,description,unit_price,tax_rate_bp,active"]
    lines += [f"{prefix}-{n:06d},Product {n},Pack of {n % 50 + 1},{100 + n},1800,true"
              for n in range(rows)]  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


async def _job(deps: Any, admin: Any, data: bytes) -> dict[str, Any]:
    from fieldedge.domain.imports import ImportKind
    from fieldedge.services.imports import records
    from fieldedge.services.outbox.dispatcher import dispatch_due

    record = await records.start_import(admin, ImportKind.PRODUCTS, "bench.csv", data, deps)
    before = _rss_kib()
    started = time.perf_counter()
    with Sampler() as sampler:
        while (await dispatch_due(deps, limit=1)).claimed:
            pass
    elapsed = time.perf_counter() - started
    done = await records.get_import(admin, record.id, deps)
    return {
        "rows": done.rows,
        "status": done.status.value,
        "created": done.created,
        "errors": done.errors,
        "seconds": round(elapsed, 2),
        "rows_per_s": round(done.rows / elapsed, 1),
        "rss_before_job_mib": round(before / 1024, 1),
        "peak_rss_during_job_mib": round(sampler.peak / 1024, 1),
        "file_mib": round(len(data) / 2**20, 2),
    }


async def _baseline(deps: Any, company_id: uuid.UUID, rows: int) -> float:
    """The same rows by hand: one executemany INSERT per 500 rows, a transaction each."""
    import sqlalchemy as sa

    engine: Any = deps.db.engine
    now = datetime.now(UTC)
    from fieldedge_adapters.sql.tables_fieldforce import ProductRow

    insert = sa.insert(ProductRow.__table__)  # type: ignore[attr-defined]
    started = time.perf_counter()
    for start in range(0, rows, 500):
        values = [
            {"id": uuid.uuid4(), "company_id": company_id, "sku": f"BASE-{n:06d}",
             "name": f"Product {n}", "description": f"Pack of {n % 50 + 1}",
             "unit_price": 100 + n, "tax_rate_bp": 1800, "active": True, "version": 1,
             "created_at": now, "updated_at": now}
            for n in range(start, min(start + 500, rows))
        ]  # fmt: skip
        async with engine.begin() as connection:
            await connection.execute(insert, values)
    return round(rows / (time.perf_counter() - started), 1)


async def run(backend: str, rows: int) -> dict[str, Any]:
    from bench.webhooks import _database  # a fresh migrated database of the backend
    from fieldedge.domain.access import Principal
    from fieldedge.domain.identity import Role
    from fieldedge.services.auth.register import Register, register
    from fieldedge_handlers.bootstrap import build_deps, close_deps, load_settings

    tmp = Path(tempfile.mkdtemp())
    url, cleanup = await _database(backend, tmp)
    settings = load_settings(
        database_url=url, fieldedge_env="test", jwt_secret="b" * 48, outbox_inline=False,
        kv_url="memory://", storage_url=f"file://{tmp}/storage", argon2_memory_kib=1024,
        argon2_time_cost=1, max_upload_bytes=64 * 2**20,
    )  # fmt: skip
    deps = build_deps(settings)
    try:
        admins = []
        for n in range(2):
            pair = await register(
                Register(f"Bench {n}", "Admin", f"b{n}@example.com", "a long passphrase 42"),
                deps,
            )
            claims = deps.tokens.verify(pair.access_token, now=deps.clock.now())
            admins.append(Principal(claims.user_id, claims.company_id, Role.ADMIN))
        small = await _job(deps, admins[1], csv_bytes(rows // 10, "SMALL"))
        big = await _job(deps, admins[0], csv_bytes(rows))
        base = await _baseline(deps, admins[1].tenant, rows)
    finally:
        await close_deps(deps)
        if cleanup is not None:
            admin_conn, name = cleanup
            await admin_conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            await admin_conn.close()
    return {
        "backend": backend,
        "import": big,
        "tenth_of_the_file": small,
        "baseline_insert_rows_per_s": base,
        "ratio": round(big["rows_per_s"] / base, 2) if base else None,
        "process_max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: list[str]) -> None:
    backend = next((a for a in argv if a in ("sqlite", "postgres")), "sqlite")
    rows = int(argv[argv.index("--rows") + 1]) if "--rows" in argv else 50_000
    print(json.dumps(asyncio.run(run(backend, rows)), indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
