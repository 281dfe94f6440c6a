"""A CSV read in pieces: bytes in, records out, in bounded memory.

The bytes come in chunks (from object storage, or a local file); they are decoded as
UTF-8 (a BOM, as spreadsheet programs write, is dropped) and cut at the last line end
outside quotes, so the csv module only ever sees whole records, also when a quoted cell
spans lines. Lines are counted as an editor shows them (the header is line 1). What
makes the whole file unreadable (not UTF-8, not CSV, a wrong header) is a
``ValidationFailed`` naming the line; what is wrong with one record is the row rules'.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from fieldedge.errors import ValidationFailed
from fieldedge.ports.storage import ObjectStore
from fieldedge.services.import_rows import Row

CHUNK = 256 * 1024  # bytes read at a time
MAX_RECORD = 1024 * 1024  # a record (or an unclosed quote) longer than this is not CSV


@dataclass(frozen=True, slots=True)
class Header:
    columns: tuple[str, ...]  # every column the kind knows
    required: tuple[str, ...]


async def stored_chunks(store: ObjectStore, key: str, size: int = CHUNK) -> AsyncIterator[bytes]:
    """An object's bytes, ``size`` at a time."""
    start = 0
    while True:
        data = await store.read_range(key, start, size)
        if data:
            yield data
        if len(data) < size:
            return
        start += len(data)


def _cut(text: str) -> int:
    """Where the whole records in ``text`` end: after its last line end outside quotes."""
    end = len(text)
    while (end := text.rfind("\n", 0, end)) >= 0:
        if text.count('"', 0, end) % 2 == 0:
            return end + 1
    return 0


def _check_header(cells: Sequence[str], header: Header) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    if not any(names):
        raise ValidationFailed("The file is empty: expected a header row.")
    if missing := [name for name in header.required if name not in names]:
        raise ValidationFailed(f"Missing required column(s): {', '.join(missing)} (line 1).")
    if unknown := [name for name in names if name not in header.columns]:
        known = ",".join(header.columns)
        raise ValidationFailed(f"Unknown column(s): {', '.join(unknown)} (known: {known}).")
    if len(set(names)) < len(names):
        twice = sorted({name for name in names if names.count(name) > 1})
        raise ValidationFailed(f"Column(s) named twice: {', '.join(twice)}.")
    return names


class _Records:
    def __init__(self, header: Header) -> None:
        self.header = header
        self.names: list[str] | None = None
        self.line = 1  # the line the next piece starts on

    def parse(self, piece: str) -> list[Row]:
        reader = csv.reader(io.StringIO(piece, newline=""), strict=True)
        rows: list[Row] = []
        start = self.line
        try:
            for cells in reader:
                if self.names is None:
                    self.names = _check_header(cells, self.header)
                elif any(cell.strip() for cell in cells):
                    extra = max(len(cells) - len(self.names), 0)
                    rows.append(Row(start, dict(zip(self.names, cells, strict=False)), extra))
                start = self.line + reader.line_num
        except csv.Error as exc:
            line = self.line + reader.line_num - 1
            raise ValidationFailed(f"Not valid CSV at line {line}: {exc}.") from None
        self.line += piece.count("\n")
        return rows


async def read_records(chunks: AsyncIterator[bytes], header: Header) -> AsyncIterator[Row]:
    """The file's non-empty records after the header, in order."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    records, text, lines_in, first = _Records(header), "", 0, True
    async for chunk in chunks:
        try:
            text += decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            line = lines_in + chunk[: exc.start].count(b"\n") + 1
            raise ValidationFailed(
                f"Not UTF-8 at line {line}: save the file as CSV UTF-8."
            ) from None
        lines_in += chunk.count(b"\n")
        if first and text:
            text, first = text.removeprefix("\ufeff"), False
        cut = _cut(text)
        if cut == 0 and len(text) > MAX_RECORD:
            raise ValidationFailed(
                f"Not valid CSV at line {records.line}: a record over {MAX_RECORD} bytes "
                "(an unclosed quote?)."
            )
        for row in records.parse(text[:cut]):
            yield row
        text = text[cut:]
    try:
        text += decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ValidationFailed(
            f"Not UTF-8 at line {lines_in + 1}: the file ends inside a character."
        ) from None
    if text.strip() or records.names is None:
        for row in records.parse(text if text.endswith("\n") else text + "\n"):
            yield row
    if records.names is None:
        raise ValidationFailed("The file is empty: expected a header row.")
