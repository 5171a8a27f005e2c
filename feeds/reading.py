"""Reading a feed file: CSV (UTF-8, UTF-8 with a byte-order mark, or Windows-1252, comma, semicolon
or tab separated) or XLSX, streamed row by row so a file of a million rows never sits in memory."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

CHUNK = 1024 * 1024
ACCEPTED = "UTF-8 (with or without a byte-order mark) or Windows-1252"


class FeedFileError(Exception):
    """The file as a whole cannot be read: its encoding, its format, its headers or its size."""


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (line or row number, cells)
    encoding: str


def _is_xlsx(head: bytes, name: str) -> bool:
    return head.startswith(b"PK\x03\x04") or name.lower().endswith((".xlsx", ".xlsm"))


def detect_encoding(raw: IO[bytes]) -> str:
    """The text encoding of a CSV, read through once in chunks: UTF-8 with a BOM, UTF-8, else
    Windows-1252. UTF-16/32 and bytes no accepted encoding can hold are refused by name."""
    raw.seek(0)
    head = raw.read(4)
    raw.seek(0)
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) or head.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        raise FeedFileError(f"The file is UTF-16 or UTF-32 text. Save it as CSV in {ACCEPTED} and upload it again.")
    encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    for candidate in [encoding] if encoding == "utf-8-sig" else ["utf-8", "cp1252"]:
        decoder = codecs.getincrementaldecoder(candidate)(errors="strict")
        raw.seek(0)
        try:
            while chunk := raw.read(CHUNK):
                if b"\x00" in chunk:
                    raise FeedFileError(
                        f"The file holds NUL bytes: it is not CSV text in {ACCEPTED} (is it UTF-16, or a "
                        "binary file?). Save it as CSV UTF-8 and upload it again."
                    )
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        raw.seek(0)
        return candidate
    raise FeedFileError(f"The file's text is in none of the accepted encodings: {ACCEPTED}. Save it as CSV UTF-8.")


def _csv_table(raw: IO[bytes]) -> Table:
    encoding = detect_encoding(raw)
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    sample = text.read(16384)
    text.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text, dialect)
    try:
        headers = next(reader, [])
    except csv.Error as exc:
        raise FeedFileError(f"This is not a readable CSV file ({exc}).") from exc

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for cells in reader:
                if any(cell.strip() for cell in cells):
                    yield reader.line_num, cells
        except csv.Error as exc:
            raise FeedFileError(f"The CSV is malformed near line {reader.line_num}: {exc}.") from exc

    return Table([h.strip() for h in headers], rows(), "Windows-1252" if encoding == "cp1252" else "UTF-8")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value).strip()


def _xlsx_table(raw: IO[bytes]) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(raw, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors on a bad workbook
        raise FeedFileError("This is not a readable XLSX workbook. Save it again from Excel, or as CSV.") from exc
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    headers = [_cell_text(v) for v in next(values, ())]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, row in enumerate(values, 2):
            cells = [_cell_text(v) for v in row]
            if any(cells):
                yield number, cells
        book.close()

    return Table(headers, rows(), "XLSX")


def open_table(raw: IO[bytes], name: str) -> Table:
    raw.seek(0)
    head = raw.read(4)
    raw.seek(0)
    table = _xlsx_table(raw) if _is_xlsx(head, name) else _csv_table(raw)
    if not any(table.headers):
        raise FeedFileError("The file is empty: its first row should name the columns.")
    return table
