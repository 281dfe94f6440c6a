"""``fieldedge seed --scale N``: the scale fixture from the command line, on Postgres
only, into an empty database only (it never mixes its rows with real ones)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldedge_adapters.sql import migrations
from fieldedge_handlers.cli import main
from fixtures.database import pg_fetch, run_async


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "DATABASE_URL_DIRECT", "JWT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FIELDEDGE_ENV", "dev")
    return tmp_path


@pytest.mark.parametrize("scale", ["0", "-1", "11"])
def test_a_scale_out_of_range_is_refused(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], scale: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///./var/app.db")
    assert main(["seed", f"--scale={scale}"]) == 2
    assert "N must be above 0" in capsys.readouterr().err


def test_sqlite_is_refused(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///./var/app.db")
    assert main(["seed", "--scale", "0.01"]) == 2
    assert "needs Postgres" in capsys.readouterr().err


@pytest.mark.parametrize("empty_database_url", ["postgres"], indirect=True)
def test_seeds_an_empty_database_once(
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    empty_database_url: str,
) -> None:
    run_async(lambda: migrations.upgrade(empty_database_url))
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    assert main(["seed", "--scale", "0.002"]) == 0
    out = capsys.readouterr().out
    assert "'contacts': 200, 'visits': 4000, 'orders': 1000" in out
    dsn = empty_database_url.replace("+asyncpg", "")
    rows = run_async(lambda: pg_fetch(dsn, "SELECT count(*) AS n FROM companies"))
    assert rows[0]["n"] == 51
    assert main(["seed", "--scale", "0.002"]) == 1  # not twice: the database has companies
    assert "fills an empty database" in capsys.readouterr().err
