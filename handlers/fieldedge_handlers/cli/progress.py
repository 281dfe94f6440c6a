"""Progress of a long command on stderr: a bar redrawn in place on a terminal, plain
lines otherwise (a log file or CI would fill with carriage returns and escape codes).

Plain mode prints a stage's first report, then one line every ``every`` items or
``interval_s`` seconds, and its last, so a piped log shows life without flooding. No
dependency: a ``\\r`` and a padded line are all a terminal needs.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 30


class ProgressReporter:
    """A ``fieldedge.services.export.Progress``: ``reporter(stage, done, total)``."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        tty: bool | None = None,
        every: int = 1000,
        interval_s: float = 5.0,
    ) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.every = every
        self.interval_s = interval_s
        self._stage: str | None = None
        self._printed_at = 0.0
        self._printed_done = 0
        self._width = 0  # of the line on screen, to blank what a shorter one leaves
        self._last = ""  # the latest report's text, printed at a stage's end if unseen

    def __call__(self, stage: str, done: int, total: int | None = None) -> None:
        if stage != self._stage:
            self.finish()
            self._stage, self._printed_done = stage, -1
        text = self._last = self._text(stage, done, total)
        if self.tty:
            self.stream.write("\r" + text.ljust(self._width))
            self._width = len(text)
            self.stream.flush()
            return
        now = time.monotonic()
        last = total is not None and done >= total
        due = done - self._printed_done >= self.every or now - self._printed_at >= self.interval_s
        if self._printed_done < 0 or last or due:
            print(text, file=self.stream, flush=True)
            self._printed_at, self._printed_done, self._last = now, done, ""

    def finish(self) -> None:
        """End the stage: the bar's line ends, or its final count is printed if it was
        not (call once at the end; a new stage does it itself)."""
        if self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()
        elif not self.tty and self._last:
            print(self._last, file=self.stream, flush=True)
        self._width, self._last = 0, ""

    @staticmethod
    def _text(stage: str, done: int, total: int | None) -> str:
        if not total:
            return f"{stage}: {done}"
        share = min(done / total, 1.0)
        filled = int(share * WIDTH)
        bar = "#" * filled + "-" * (WIDTH - filled)
        return f"{stage}: [{bar}] {done}/{total} {share:4.0%}"
