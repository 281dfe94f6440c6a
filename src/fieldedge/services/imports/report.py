"""The per-row report as CSV: ``line,key,outcome,message``, every cell that a
spreadsheet would run as a formula escaped (``csv_cell``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from fieldedge.services.imports.apply import RowResult
from fieldedge.services.imports.rules import csv_cell


def report_part(results: Sequence[RowResult]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for r in results:
        writer.writerow([r.line, csv_cell(r.key), r.outcome.value, csv_cell(r.message)])
    return out.getvalue().encode()
