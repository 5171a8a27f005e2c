"""Reading an uploaded CSV row by row, and the checks every import kind shares."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache

from accounts.access import editable_clients
from accounts.models import User
from stakeholders.csv_format import (
    unescape_cell,
)
from stakeholders.models import (
    ImportJob,
)

MAX_KEPT_ERRORS = 2000
KEEP_MANAGER = object()
PROGRESS_EVERY = 500
WRITE_BATCH = 2000


class ImportFileError(Exception):
    """The file as a whole cannot be read: wrong headers, not UTF-8, not CSV."""


@dataclass
class Outcome:
    rows_total: int = 0
    valid_rows: int = 0
    error_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    changed_meanwhile: int = 0  # skipped because someone changed the record while the import ran
    errors: list[dict] = field(default_factory=list)

    def add_error(self, row: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_KEPT_ERRORS:
            self.errors.append({"row": row, "field": column, "message": message})


def progress_key(job_id: int) -> str:
    return f"stakeholder-import-progress-{job_id}"


def report_progress(job: ImportJob, done: int) -> None:
    # The cache, not the job row: the import's own transaction hides row updates until it commits.
    cache.set(progress_key(job.pk), done, timeout=3600)


def read_rows(job: ImportJob, columns: list[str], required: set[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, cleaned cells) for each data row, streamed from storage."""
    with job.file.open("rb") as raw:
        text = codecs.getreader("utf-8-sig")(raw, errors="strict")
        reader = csv.DictReader(text)
        try:
            header = [name.strip().lower() for name in (reader.fieldnames or [])]
        except UnicodeDecodeError as exc:
            raise ImportFileError("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.") from exc
        except csv.Error as exc:
            raise ImportFileError(f"This is not a readable CSV file ({exc}).") from exc
        missing = required - set(header)
        unknown = set(header) - set(columns)
        if missing or unknown:
            parts = []
            if missing:
                parts.append(f"missing column(s): {', '.join(sorted(missing))}")
            if unknown:
                parts.append(f"unknown column(s): {', '.join(sorted(unknown))}")
            raise ImportFileError(f"Wrong headers — {'; '.join(parts)}. Expected: {', '.join(columns)}.")
        reader.fieldnames = header
        most = settings.STAKEHOLDER_IMPORT_MAX_ROWS
        try:
            for count, row in enumerate(reader, 1):
                if count > most:
                    raise ImportFileError(
                        f"The file has more than {most:,} rows, the most an import takes. "
                        "Split it and upload the parts one by one."
                    )
                cells = {k: unescape_cell((v or "").strip()) for k, v in row.items() if k in columns}
                if not any(cells.values()):
                    continue
                yield reader.line_num, cells
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                f"The file is not UTF-8 text (near line {reader.line_num + 1}). "
                "Save it as “CSV UTF-8” and upload it again."
            ) from exc
        except csv.Error as exc:
            raise ImportFileError(f"The CSV is malformed near line {reader.line_num}: {exc}.") from exc


def client_map(user: User) -> dict[str, int]:
    """Lower-cased names of the clients `user` may change. Others are reported as unknown: no leaks."""
    return {name.lower(): pk for pk, name in editable_clients(user).values_list("pk", "name")}


def parse_choice(value: str, choices: type, column: str, errors: dict[str, str], default: str) -> str:
    if not value:
        return default
    by_label = {label.lower(): key for key, label in choices.choices}
    key = value.lower().replace(" ", "_").replace("-", "_")
    if key in choices.values:
        return key
    if value.lower() in by_label:
        return by_label[value.lower()]
    errors[column] = f"“{value}” is not one of: {', '.join(choices.values)}."
    return default


def parse_int(value: str, column: str, low: int, high: int, default: int, errors: dict[str, str]) -> int:
    if not value:
        return default
    try:
        number = int(value.replace("+", ""))
    except ValueError:
        errors[column] = f"“{value}” is not a whole number."
        return default
    if not low <= number <= high:
        errors[column] = f"{number} is out of range ({low} to {high})."
    return number
