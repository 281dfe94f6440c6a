"""The scheduled work from the outside: ``fieldedge outbox …`` / ``fieldedge jobs run``
in-process through the real CLI, and the Lambda ``jobs`` entry in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from fakes import FixedClock
from fieldedge.domain.outbox import OutboxEvent, OutboxStatus
from fieldedge.ports.database import Scope
from fieldedge.services.common import queue_email
from fieldedge.services.deps import Deps
from fieldedge.services.outbox.dispatcher import dispatch_due
from fieldedge_adapters.sql import database_from_url
from fixtures.app import SECRET, make_deps
from fixtures.database import POOL, run_async

pytestmark = pytest.mark.slow  # starts processes: run first (tests/conftest.py)

T = TypeVar("T")
# EventBridge's own event for a rule with no input (as AWS documents it).
RAW_EVENT = {
    "version": "0",
    "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-01-03T10:00:00Z",
    "region": "eu-west-1",
    "resources": ["arn:aws:events:eu-west-1:123456789012:rule/fieldedge-prod-sweep"],
    "detail": {},
}
WELCOME = {"name": "Asha", "company": "Acme", "appUrl": "https://app.example.com"}


def with_deps(
    url: str, tmp: Path, work: Callable[[Deps], Awaitable[T]], at: datetime | None = None
) -> T:
    """Run ``work`` against the test database on a loop of its own (the CLI runs its own)."""

    async def go() -> T:
        db = database_from_url(url, **POOL)
        deps = make_deps(tmp, db, clock=FixedClock(at=at or datetime.now(UTC)))
        try:
            return await work(deps)
        finally:
            await deps.mailer.close()
            await deps.storage.close()
            await db.close()

    return run_async(go)


async def queue(deps: Deps, template: str = "welcome") -> OutboxEvent:
    async with deps.db.unit_of_work(Scope.system()) as uow:
        event = await queue_email(
            uow, deps, company_id=None, template=template, to=["a@example.com"], context=WELCOME
        )
        await uow.commit()
    return event


async def stored(deps: Deps) -> list[OutboxEvent]:
    async with deps.db.unit_of_work(Scope.system()) as uow:
        return list(await uow.outbox.list(status=None, after=None, limit=100))


def app_env(database_url: str, tmp: Path) -> dict[str, str]:
    return {
        "FIELDEDGE_ENV": "prod",
        "JWT_SECRET": SECRET,
        "DATABASE_URL": database_url,
        "KV_URL": "memory://",
        "STORAGE_URL": f"file://{tmp}/storage",
        "MAIL_URL": "console://",
        "LOG_LEVEL": "WARNING",
    }


@dataclass(frozen=True)
class Cli:
    """The real ``fieldedge`` command in a process of its own (its logging set-up and
    event loop stay out of the test process)."""

    database_url: str
    tmp: Path

    def __call__(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", _CLI, *argv],
            env={**os.environ, **app_env(self.database_url, self.tmp)},
            cwd=self.tmp,  # no developer .env is read
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )


_CLI = "import sys; from fieldedge_handlers.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Cli:
    return Cli(database_url, tmp_path)


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.stdout.strip(), result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_outbox_retry_moves_dead_events_back_to_pending(cli: Cli, tmp_path: Path) -> None:
    async def arrange(deps: Deps) -> None:
        await queue(deps, template="no_such_template")
        await queue(deps)
        await dispatch_due(deps)

    with_deps(cli.database_url, tmp_path, arrange)

    result = cli("outbox", "retry", "--all-dead")

    assert result.returncode == 0, result.stderr[-2000:]
    assert last_line(result) == "1 dead event(s) back to pending"
    events = with_deps(cli.database_url, tmp_path, stored)
    revived = [e for e in events if e.payload["template"] == "no_such_template"]
    assert [(e.status, e.attempts) for e in revived] == [(OutboxStatus.PENDING, 0)]
    assert {e.status for e in events} == {OutboxStatus.PENDING, OutboxStatus.SENT}


def test_outbox_run_sends_what_is_due(cli: Cli, tmp_path: Path) -> None:
    with_deps(cli.database_url, tmp_path, queue)

    result = cli("outbox", "run", "--limit", "10")

    assert result.returncode == 0, result.stderr[-2000:]
    assert last_line(result) == "sent 1, failed 0, dead 0"
    assert [e.status for e in with_deps(cli.database_url, tmp_path, stored)] == [OutboxStatus.SENT]


def test_jobs_run_sweep_deletes_sent_mail_past_retention(cli: Cli, tmp_path: Path) -> None:
    async def sent_long_ago(deps: Deps) -> None:
        await queue(deps)
        await dispatch_due(deps)

    month_ago = datetime.now(UTC) - timedelta(days=31)
    with_deps(cli.database_url, tmp_path, sent_long_ago, at=month_ago)
    with_deps(cli.database_url, tmp_path, queue)  # pending: kept

    result = cli("jobs", "run", "sweep")

    assert result.returncode == 0, result.stderr[-2000:]
    assert "deleted outbox_sent: 1" in result.stdout.splitlines()
    assert [e.status for e in with_deps(cli.database_url, tmp_path, stored)] == [
        OutboxStatus.PENDING
    ]


def test_a_missing_dead_event_exits_1_and_bad_usage_exits_2(cli: Cli) -> None:
    missing = cli("outbox", "retry", "--id", str(uuid.uuid4()))
    assert missing.returncode == 1
    assert "no dead event" in missing.stderr

    usage = cli("outbox", "retry")
    assert usage.returncode == 2
    assert "one of the arguments --id --all-dead is required" in usage.stderr


def test_lambda_jobs_entry_runs_the_outbox_in_a_fresh_process(
    database_url: str, tmp_path: Path
) -> None:
    with_deps(database_url, tmp_path, queue)
    script = (
        "import json\n"
        "from fieldedge_handlers.aws_lambda import handler, jobs\n"
        "first = jobs({'job': 'outbox'}, None)\n"
        "again = jobs({'job': 'outbox'}, None)\n"  # a warm container, same loop
        "sweep = jobs({'job': 'sweep'}, None)\n"
        f"raw = jobs({RAW_EVENT!r}, None)\n"
        f"unnamed = jobs({dict(RAW_EVENT, resources=[])!r}, None)\n"
        "print(json.dumps([first, again, sweep, raw, unnamed]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, **app_env(database_url, tmp_path)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert "Event loop is closed" not in result.stderr
    first, again, sweep, raw, unnamed = json.loads(result.stdout.strip().splitlines()[-1])
    assert first == {"job": "outbox", "claimed": 1, "sent": 1, "failed": 0, "dead": 0, "errors": 0}
    assert again["claimed"] == 0
    assert sweep["job"] == "sweep"
    assert sweep["deleted"]["outbox_sent"] == 0
    assert raw["job"] == "sweep"  # named by its rule, as serverless.yml names them
    assert unnamed["job"] is None
    assert "skipped" in unnamed
    assert [e.status for e in with_deps(database_url, tmp_path, stored)] == [OutboxStatus.SENT]
