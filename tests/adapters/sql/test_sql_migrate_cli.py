"""``fieldedge migrate``: what an operator types, sees and gets as an exit code.

(It tests a handler, but lives beside the adapter whose behaviour it drives.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldedge_adapters.sql import migrations
from fieldedge_handlers.cli import main
from fixtures.services import free_port


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run where no ``.env`` is, with only the settings this test gives."""
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "DATABASE_URL_DIRECT", "JWT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FIELDEDGE_ENV", "dev")
    return tmp_path


def test_up_status_down_on_sqlite(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///./var/app.db")
    head = migrations.script_head()

    assert main(["migrate", "status"]) == 3  # behind: a deploy script can gate on this
    assert "behind" in capsys.readouterr().out

    assert main(["migrate", "up"]) == 0
    assert capsys.readouterr().out.strip() == f"database at {head}"
    assert (workdir / "var" / "app.db").is_file()

    assert main(["migrate", "status"]) == 0
    assert capsys.readouterr().out.strip() == f"current {head}, head {head}: up to date"

    assert main(["migrate", "down", "base"]) == 0
    assert capsys.readouterr().out.strip() == "database at base"


def test_direct_url_is_used_for_migrations(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///./var/pooled.db")
    monkeypatch.setenv("DATABASE_URL_DIRECT", "sqlite+aiosqlite:///./var/direct.db")
    assert main(["migrate", "up"]) == 0
    assert (workdir / "var" / "direct.db").is_file()
    assert not (workdir / "var" / "pooled.db").exists()


def test_unreachable_database_is_one_line_and_exit_1(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql+asyncpg://app:s3cret@127.0.0.1:{free_port()}/app"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["migrate", "up"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("fieldedge: database unreachable at postgresql+asyncpg://app:***@")
    assert "s3cret" not in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("env", "args", "expected", "code"),
    [
        # A bad setting is a usage error (2), as for every command and the server.
        ({"DATABASE_URL": "mysql://x/y"}, ["migrate", "up"], "DATABASE_URL: unsupported scheme", 2),
        ({}, ["migrate", "down", "nosuch"], "Can't locate revision identified by 'nosuch'", 1),
    ],
)
def test_bad_input_is_one_readable_line(
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    args: list[str],
    expected: str,
    code: int,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///./var/app.db")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(args) == code
    err = capsys.readouterr().err
    assert expected in err
    assert err.count("\n") == 1
