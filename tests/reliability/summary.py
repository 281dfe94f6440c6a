"""The reliability suite's one summary line, ``N probes, M faults, K fuzz cases, F failures``.

Reports reach the controller from every xdist worker (and from the lone process without
xdist), so the line is counted from ``pytest_runtest_logreport`` there. A fuzz test
leaves the number of cases it ran in its report's ``user_properties``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

PROBES = ("tests/attack/", "tests/reliability/test_hostile", "tests/reliability/test_roles")
FAULTS = ("tests/reliability/faults/",)
FUZZ = ("tests/reliability/test_fuzz",)


@dataclass
class Tally:
    probes: int = 0
    faults: int = 0
    fuzz_cases: int = 0
    failures: int = 0
    seen: bool = False

    def add(self, report: pytest.TestReport) -> None:
        path = report.nodeid
        kind = next(
            (
                k
                for k, roots in (("probe", PROBES), ("fault", FAULTS), ("fuzz", FUZZ))
                if path.startswith(roots)
            ),
            None,
        )
        if kind is None:
            return
        self.seen = True
        if report.failed:
            self.failures += 1
        if report.when == "call" and kind == "fuzz":
            self.fuzz_cases += sum(
                int(value) for name, value in report.user_properties if name == "fuzz_cases"
            )
        if report.when == "call" and report.passed:
            self.probes += kind == "probe"
            self.faults += kind == "fault"

    def line(self) -> str:
        return (
            f"{self.probes} probes, {self.faults} faults, "
            f"{self.fuzz_cases} fuzz cases, {self.failures} failures"
        )


TALLY = Tally()  # one pytest session per process


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    TALLY.add(report)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    if hasattr(config, "workerinput"):
        return
    tally = TALLY
    if tally.seen:
        terminalreporter.write_line(tally.line())
