"""An uploaded CSV or XLSX read into rows within caps; bombs and XML tricks are refused."""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

log = logging.getLogger(__name__)

# A workshop sheet has ~15 columns and hundreds of rows; these leave room for ten times that
# and keep one upload's cost to tens of megabytes and about two seconds of parsing.
MAX_ROWS = 5_000  # data rows, blank ones between them included
MAX_COLUMNS = 50
MAX_CELLS = 100_000  # filled cells
MAX_UNPACKED_BYTES = 30_000_000  # an .xlsx's parts, uncompressed, all together
MAX_PARTS = 1_000  # an .xlsx's zip members
# What a spreadsheet takes for the start of a formula: exports put a ' before it, imports drop it
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
REQUIRED = {"organisation", "theme", "kind", "category", "title"}
# Spreadsheets never write a DTD; without one no entity (external or nested) can be declared.
_DTD = [s.encode(enc) for s in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le")]
_DTD += [s.encode("utf-16-be") for s in ("<!DOCTYPE", "<!ENTITY")]


class SheetError(ValueError):
    """A file that is no sheet we read: the message says why in English (the API's words);
    `code` names it for the pages' catalogue, `params` hold its figures and names."""

    def __init__(self, code: str, message: str, **params: str | int) -> None:
        super().__init__(message)
        self.code, self.params = code, params


def read_rows(filename: str, data: bytes) -> list[dict[str, str]]:
    """The data rows of a CSV or XLSX sheet, keyed by the header row's names; a blank row
    between data rows is an empty dict, so that each row keeps its number in the sheet."""
    name = filename.lower()
    if name.endswith(".csv"):
        table = _csv_rows(data)
    elif name.endswith(".xlsx"):
        table = _xlsx_rows(data)
    else:
        raise SheetError("type", "upload a .csv or an .xlsx file")
    rows = _within_caps(table)
    if not rows:
        raise SheetError("empty", "the sheet has no rows under its header")
    header = [h.strip() for h in rows[0]]
    missing = REQUIRED - set(header)
    if missing:
        columns = ", ".join(sorted(missing))
        raise SheetError("columns", f"the header lacks the columns: {columns}", columns=columns)
    if len(rows) == 1:
        raise SheetError("empty", "the sheet has no rows under its header")
    return [
        {h: _unguarded(row[i].strip()) if i < len(row) else "" for i, h in enumerate(header) if h}
        if row
        else {}
        for row in rows[1:]
    ]


def _unguarded(value: str) -> str:
    # an export writes '=... so that a spreadsheet shows it as text; the import takes it back
    if value[:1] == "'" and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value


def _within_caps(table: Iterable[list[str]]) -> list[list[str]]:
    """The table's rows up to its last non-blank one, stopping at the first cap passed.
    A blank row counts towards the rows' cap (reading it costs as much), but is not kept
    unless a filled row follows it."""
    rows: list[list[str]] = []
    blank: list[str] = []  # one shared empty row stands for every blank one
    blanks = cells = 0
    for position, row in enumerate(table, start=1):
        while row and not row[-1].strip():
            row.pop()
        if position > MAX_ROWS + 1:  # the header and MAX_ROWS rows are read
            raise SheetError(
                "rows",
                f"the sheet has more than {MAX_ROWS:,} rows (empty rows with formatting count)",
                limit=MAX_ROWS,
            )
        if not row:
            blanks += 1
            continue
        if len(row) > MAX_COLUMNS:
            raise SheetError(
                "wide", f"the sheet has more than {MAX_COLUMNS} columns", limit=MAX_COLUMNS
            )
        cells += sum(1 for v in row if v.strip())
        if cells > MAX_CELLS:
            raise SheetError(
                "cells", f"the sheet has more than {MAX_CELLS:,} filled cells", limit=MAX_CELLS
            )
        if rows:  # blank rows above the header are no rows of the sheet's table
            rows.extend([blank] * blanks)
        blanks = 0
        rows.append(row)
    return rows


# -- CSV ------------------------------------------------------------------------------------


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = "the CSV file is not UTF-8 text: save it as “CSV UTF-8”"
        raise SheetError("encoding", message) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from reader
    except csv.Error as exc:
        if "field limit" in str(exc):
            limit = csv.field_size_limit()
            raise SheetError(
                "field", f"a CSV field is longer than {limit:,} characters", limit=limit
            ) from exc
        raise SheetError("csv", f"not a readable CSV file (line {reader.line_num}: {exc})") from exc


# -- XLSX -----------------------------------------------------------------------------------


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    """The first worksheet's rows as they are in the file: only the cells it has, whatever
    range its dimension tag declares (openpyxl would pad every row to that range)."""
    from openpyxl import load_workbook

    _check_container(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a broken part raises anything from KeyError to ParseError
        log.info("unreadable workbook: %r", exc)
        raise SheetError("xlsx", "the file is not a readable .xlsx workbook") from exc
    try:
        if not book.worksheets:
            raise SheetError("no_sheet", "the workbook has no worksheet")
        sheet: Any = book.worksheets[0]
        if not hasattr(sheet, "reset_dimensions"):  # a chart sheet, say
            raise SheetError("no_sheet", "the workbook's first sheet is not a worksheet")
        sheet.reset_dimensions()  # ignore the declared range: read the cells that exist
        try:
            for values in sheet.iter_rows(values_only=True):
                yield [_text(v) for v in values]
        except SheetError:
            raise
        except Exception as exc:
            log.info("unreadable worksheet: %r", exc)
            raise SheetError("xlsx", "the file is not a readable .xlsx workbook") from exc
    finally:
        book.close()


def _check_container(data: bytes) -> None:
    """Refuse, before any XML is parsed, a zip whose parts unpack too big or carry a DTD."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            parts = z.infolist()
            if len(parts) > MAX_PARTS:
                raise SheetError("xlsx", "the file is not a readable .xlsx workbook")
            if sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
                mb = MAX_UNPACKED_BYTES // 1_000_000
                raise SheetError("unpacked", f"the workbook unpacks to more than {mb} MB", limit=mb)
            for part in parts:
                # a part can claim a small size and unpack to more: zipfile stops reading at
                # the claimed size and then fails its checksum
                with z.open(part) as f:
                    _refuse_dtd(f)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as exc:
        raise SheetError("xlsx", "the file is not a readable .xlsx workbook") from exc
    except (EOFError, RuntimeError, ValueError) as exc:  # encrypted, truncated, bad method
        if isinstance(exc, SheetError):
            raise
        raise SheetError("xlsx", "the file is not a readable .xlsx workbook") from exc


def _refuse_dtd(f: Any) -> None:
    tail = b""
    while chunk := f.read(1 << 20):
        window = tail + chunk
        if any(marker in window for marker in _DTD):
            raise SheetError(
                "dtd", "the workbook declares XML entities (a DTD), which no spreadsheet does"
            )
        tail = window[-32:]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and callable(value.date):  # a date cell
        return str(value.date())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
