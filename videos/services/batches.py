"""Batches: many videos from one CSV or JSONL file, one row each, with the option names
of `POST /api/v1/videos`.

Every row is checked before anything is created, and every problem is reported at once
(`BatchInvalid`: row number, field, message; row 1 is the first video, not the CSV
header). Then the whole batch must fit the owner's quotas (videos per day, concurrent
jobs: one storyboard job per video), else nothing is created. Then each row becomes an
ordinary video through `video_create`, all in one transaction.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from assets.selectors import asset_usable_by
from core.errors import QuotaExceeded
from quotas.services import quota_check
from videos.models import Batch, Project
from videos.services.creation import video_create, video_create_errors

# The columns (CSV) or keys (JSONL, JSON) of a row and the JSON type each takes.
TEXT, WHOLE, TRUTH, CODE = "text", "whole number", "true or false", "code"
# Several aspects: "16:9,9:16" (a CSV cell, quoted) or ["16:9", "9:16"] (JSON).
TEXTS = "text or a list of texts"
ROW_FIELDS: dict[str, str] = {
    "title": TEXT,
    "script": TEXT,
    "aspect": TEXT,
    "aspects": TEXTS,
    "quality": TEXT,
    "fps": WHOLE,
    "voice": TEXT,
    "speech_rate": WHOLE,
    "music": TEXT,
    "music_asset": CODE,
    "music_volume_db": WHOLE,
    "captions": TRUTH,
    "caption_style": TEXT,
    "caption_font": TEXT,
    "caption_size": WHOLE,
    "caption_color": TEXT,
    "caption_highlight_color": TEXT,
    "caption_background": TEXT,
    "caption_position": TEXT,
    "caption_preset": TEXT,
    "transition": TEXT,
    "visuals": TEXT,
    "project": CODE,
    "callback_url": TEXT,
}
_TYPE_MESSAGES = {
    TEXT: "Must be text.",
    WHOLE: "Must be a whole number.",
    TRUTH: "Must be true or false.",
    CODE: "Must be a code (a UUID).",
    TEXTS: 'Must be text ("16:9,9:16") or a list of texts.',
}
_CSV_TRUE = {"true", "yes", "1"}
_CSV_FALSE = {"false", "no", "0"}
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
# A JSONL line that is not JSON: reported where it is read, skipped by the row check.
_UNREADABLE = object()
NAME_MAX = 200


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based; 0 for the file as a whole
    field: str
    message: str

    @property
    def key(self) -> str:
        return f"rows.{self.row}.{self.field}" if self.row else self.field


class BatchInvalid(ValidationError):
    """Some rows (or the file) cannot be made into videos; nothing was created.
    `errors` lists every problem; as a ValidationError its keys are `rows.<n>.<field>`
    (or `file`, `rows`), so the API answers one 400 naming each."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        messages: dict[str, list[str]] = {}
        for error in errors:
            messages.setdefault(error.key, []).append(error.message)
        super().__init__(messages)


def _limits() -> tuple[int, int]:
    return settings.CONTENTIZER_BATCH_MAX_BYTES, settings.CONTENTIZER_BATCH_MAX_ROWS


# --- reading a file -------------------------------------------------------------------------


def _csv_value(field: str, raw: str):
    """A CSV cell as the JSON value it stands for; a cell that is not one stays text,
    and the row check says what it should be."""
    kind = ROW_FIELDS.get(field)
    value = raw.strip()
    if kind == WHOLE and value.lstrip("-").isdigit():
        return int(value)
    if kind == TRUTH and value.lower() in _CSV_TRUE | _CSV_FALSE:
        return value.lower() in _CSV_TRUE
    return raw if field == "script" else value


def _read_csv(text: str, errors: list[RowError]) -> list[dict]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            errors.append(RowError(0, "file", "The file is empty."))
            return []
        header = [name.strip() for name in header]
        unknown = [name for name in header if name not in ROW_FIELDS]
        for name in unknown:
            errors.append(RowError(0, "file", f"Unknown column {name!r}; the columns are: {', '.join(ROW_FIELDS)}."))
        if "script" not in header:
            errors.append(RowError(0, "file", "There is no `script` column."))
        duplicates = sorted({name for name in header if header.count(name) > 1})
        for name in duplicates:
            errors.append(RowError(0, "file", f"The column {name!r} appears more than once."))
        rows: list[dict] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            row: dict = {}
            if len(cells) > len(header):
                row["__extra__"] = len(cells) - len(header)
            for name, cell in zip(header, cells, strict=False):
                if name in unknown or name in duplicates or cell.strip() == "":
                    continue  # an empty cell: the option's default
                row[name] = _csv_value(name, cell)
            rows.append(row)
        return rows
    except csv.Error as exc:
        errors.append(RowError(0, "file", f"The CSV cannot be read at line {reader.line_num}: {exc}."))
        return []


def _read_jsonl(text: str, errors: list[RowError]) -> list:
    rows: list = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except (json.JSONDecodeError, RecursionError) as exc:
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            errors.append(RowError(len(rows) + 1, "row", f"This line is not valid JSON ({detail})."))
            rows.append(_UNREADABLE)
    return rows


def batch_rows_from_file(*, data: bytes, filename: str = "") -> tuple[list, list[RowError]]:
    """(rows, problems) from a CSV (header row, one video per line) or JSONL (one JSON
    object per line) file: by its extension, else by its first character."""
    max_bytes, _ = _limits()
    errors: list[RowError] = []
    if len(data) > max_bytes:
        too_big = f"The file is {filesizeformat(len(data))}; a batch file can be at most {filesizeformat(max_bytes)}."
        return [], [RowError(0, "file", too_big)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [
            RowError(0, "file", f"The file is not UTF-8 text (byte {exc.start} cannot be read); save it as UTF-8.")
        ]
    if "\x00" in text:
        return [], [RowError(0, "file", "The file is not text (it contains NUL bytes).")]
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in JSONL_SUFFIXES or (suffix != ".csv" and text.lstrip().startswith("{")):
        rows = _read_jsonl(text, errors)
    else:
        rows = _read_csv(text, errors)
    return rows, errors


# --- checking the rows -------------------------------------------------------------------------


def _type_ok(kind: str, value) -> bool:
    if kind == TEXT:
        return isinstance(value, str)
    if kind == TEXTS:
        return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    if kind == WHOLE:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == TRUTH:
        return isinstance(value, bool)
    if kind == CODE:
        if value is None:
            return True
        if not isinstance(value, str):
            return False
        try:
            uuid.UUID(value)
        except ValueError:
            return False
        return True
    return False


def _check_row(*, owner, number: int, row, name: str, errors: list[RowError]) -> dict | None:
    """The video_create arguments for one row, or None (its problems added to `errors`)."""
    if not isinstance(row, dict):
        if row is not _UNREADABLE:
            errors.append(RowError(number, "row", "Each row must be a JSON object of video options."))
        return None
    found: list[RowError] = []
    if extra := row.get("__extra__"):
        found.append(RowError(number, "row", f"This row has {extra} more cell(s) than the header has columns."))
    for key, value in row.items():
        if key == "__extra__":
            continue
        kind = ROW_FIELDS.get(key)
        if kind is None:
            found.append(RowError(number, str(key), f"Unknown field; the fields are: {', '.join(ROW_FIELDS)}."))
        elif not _type_ok(kind, value):
            found.append(RowError(number, key, _TYPE_MESSAGES[kind]))
    if "script" not in row:
        found.append(RowError(number, "script", "Every row needs a script."))
    if found:
        errors.extend(found)
        return None
    options = {key: value for key, value in row.items() if key != "__extra__"}
    options.setdefault("title", f"{name} #{number}"[:NAME_MAX])
    project_code = options.pop("project", None)
    asset_code = options.pop("music_asset", None)
    if project_code:
        options["project"] = Project.objects.filter(owner=owner, code=project_code).first()
        if options["project"] is None:
            found.append(RowError(number, "project", "No project with this code is yours."))
    if asset_code:
        options["music_asset"] = asset_usable_by(owner, asset_code)
        if options["music_asset"] is None:
            found.append(RowError(number, "music_asset", "No asset with this code is yours."))
    for field, message in video_create_errors(owner=owner, **options).items():
        if not any(error.field == field for error in found):
            found.append(RowError(number, field, message))
    if found:
        errors.extend(found)
        return None
    return options


def _batch_name(name: str, filename: str, count: int) -> str:
    name = " ".join((name or "").split())
    if not name and filename:
        name = PurePath(filename).stem.replace("_", " ").replace("-", " ").strip()
    if not name:
        name = f"Batch of {count} videos, {timezone.now():%Y-%m-%d %H:%M} UTC"
    return name[:NAME_MAX]


def _create(*, owner, rows: list, name: str, filename: str, errors: list[RowError]) -> Batch:
    _, max_rows = _limits()
    if not rows and not errors:
        errors.append(RowError(0, "rows", "There are no rows: give at least one video."))
    if len(rows) > max_rows:
        errors.append(RowError(0, "rows", f"There are {len(rows)} rows; a batch can have at most {max_rows}."))
        rows = []  # do not check thousands of rows to report them as well
    name = _batch_name(name, filename, len(rows))
    checked = [_check_row(owner=owner, number=i, row=row, name=name, errors=errors) for i, row in enumerate(rows, 1)]
    if errors:
        raise BatchInvalid(errors)
    with transaction.atomic():
        # The whole batch must fit: one video and one storyboard job per row. Locks the
        # quota row until commit; each video_create below counts the ones before it.
        try:
            quota_check(user=owner, videos=len(checked), jobs=len(checked), storage_bytes=0)
        except QuotaExceeded as exc:
            raise QuotaExceeded(
                f"This batch has {len(checked)} videos and does not fit: {exc} Nothing was created.",
                kind=exc.kind,
                used=exc.used,
                limit=exc.limit,
                resets_at=exc.resets_at,
            ) from exc
        batch = Batch.objects.create(owner=owner, name=name)
        for options in checked:
            video_create(owner=owner, batch=batch, **options)
    return batch


def batch_create(*, owner, rows: list, name: str = "") -> Batch:
    """A batch from rows already decoded (the API's JSON `rows`): one video per row."""
    return _create(owner=owner, rows=list(rows), name=name, filename="", errors=[])


def batch_create_from_file(*, owner, data: bytes, filename: str = "", name: str = "") -> Batch:
    """A batch from a CSV or JSONL file's bytes (an upload, the CLI's file)."""
    rows, errors = batch_rows_from_file(data=data, filename=filename)
    return _create(owner=owner, rows=rows, name=name, filename=filename, errors=errors)
