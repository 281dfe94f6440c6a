"""The README's configuration table names every setting, and CI runs its test command."""

from __future__ import annotations

import re
from pathlib import Path

from fieldedge.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", readme))
    missing = sorted(
        name.upper() for name in Settings.model_fields if name.upper() not in documented
    )
    assert missing == []


def test_ci_runs_the_readmes_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    command = re.search(r"```sh\n(python3 -m venv .venv && .*pytest[^\n]*)\n```", readme)
    assert command is not None
    assert command.group(1).replace("-q ", "") in (ROOT / ".ci" / "run").read_text().replace(
        "-q ", ""
    )
