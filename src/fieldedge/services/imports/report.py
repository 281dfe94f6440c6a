"""The per-row report as CSV: ``line,key,outcome,message``, every cell that a
spreadsheet would run as a formula escaped (``spreadsheet_safe``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from fieldedge.domain.text import spreadsheet_safe
from fieldedge.services.imports.apply import RowResult


def report_part(results: Sequence[RowResult]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for r in results:
        writer.writerow(
            [r.line, spreadsheet_safe(r.key), r.outcome.value, spreadsheet_safe(r.message)]
        )
    return out.getvalue().encode()
