"""CSV answers: streamed a row at a time, RFC 4180 quoting (``csv`` module, CRLF), a
header row without a byte-order mark, and every text cell that a spreadsheet would read
as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return:
OWASP's list) prefixed with ``'`` so it shows as text. Numbers are written as numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable, Sequence

from starlette.requests import Request
from starlette.responses import StreamingResponse

from fieldedge.domain.text import spreadsheet_safe
from fieldedge.http.envelope import rate_headers_of

CSV = "text/csv; charset=utf-8"
Cell = str | int | float | None


def safe_cell(value: Cell) -> Cell:
    """``value`` as a cell no spreadsheet runs: text that starts like a formula gets a
    leading ``'``; numbers and empty cells are left as they are."""
    return spreadsheet_safe(value) if isinstance(value, str) else value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterable[bytes]:
    """The header, then each row, one encoded line at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in (header, *([safe_cell(c) for c in r] for r in rows)):
        writer.writerow(row)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()


def csv_response(request: Request, filename: str, header: Sequence[str],
                 rows: Iterable[Sequence[Cell]]) -> StreamingResponse:  # fmt: skip
    async def body() -> AsyncIterator[bytes]:
        for line in csv_lines(header, rows):
            yield line

    return csv_attachment(request, filename, body())


def csv_attachment(
    request: Request, filename: str, body: AsyncIterator[bytes]
) -> StreamingResponse:
    """``body`` (CSV already encoded) streamed as the download ``filename``."""
    headers = {
        **rate_headers_of(request.scope),
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store",  # a company's figures or rows
    }
    return StreamingResponse(body, media_type=CSV, headers=headers)
