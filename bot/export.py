"""Exports of people's views for coordinators: CSV, XLSX or JSON Lines, on the command line
(`heard export views`) and from the workspace's export page.

Each row is one view: its consultation and, for a consultation made in the workspace, the
version the person answered (empty for `flows/`), its question in the coordinator's language
(English by default) and as the person saw it, the person's own words and their language, the
view's themes and status.
Never contact details: people are named only by their random pseudonym. The filters are the
views inbox's (storage.records.ViewFilters); a consultation or theme that does not exist is an
error (`ExportError`), never an empty file. Rows are read in batches and written as they come
(XLSX through XlsxWriter's constant-memory mode), so a million rows take the memory of one
batch.

CSV and XLSX cells that a spreadsheet would run as a formula (starting with = + - @, tab or
carriage return) are prefixed with an apostrophe, and bidirectional control characters are
shown as visible codes: people's free text must never execute, or read as something else, in a
coordinator's spreadsheet. JSON Lines keeps the words exactly.

Views of someone whose latest "share views" consent is a withdrawal are not exported: they told
us not to keep their answers.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from typing import IO, Any, BinaryIO, TextIO

from bot.views.questions import DEFAULT_LANGUAGE, QuestionTexts
from storage.records import InboxEntry, ViewFilters, ViewRecord
from storage.unit_of_work import UnitOfWork

FORMATS = ("csv", "xlsx", "jsonl")
COLUMNS = [f.name for f in fields(ViewRecord)]
EXPORT_COLUMNS = [
    "view_id",
    "participant_id",
    "consultation",
    "consultation_version",
    "flow",
    "question_id",
    "question",
    "question_text",
    "answer_value",
    "original_text",
    "language",
    "register",
    "channel",
    "at",
    "status",
    "themes",
    "latest",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Embeddings, overrides and isolates (U+202A-202E, U+2066-2069) and the marks U+200E/U+200F.
BIDI_CONTROLS = {cp: f"[U+{cp:04X}]" for cp in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
BIDI_CONTROLS.update({0x200E: "[U+200E]", 0x200F: "[U+200F]"})
XLSX_ROWS_PER_SHEET = 1_048_576  # Excel's limit, the header row included
XLSX_CELL_MAX = 32_767


class ExportError(ValueError):
    """The export cannot be made as asked (an unknown consultation or theme); the message says
    what was wrong in words for the coordinator."""


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else (
        value.isoformat() if hasattr(value, "isoformat") else str(value)
    )
    if not text.isascii():  # bidirectional controls are never ASCII
        text = text.translate(BIDI_CONTROLS)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def shareable_views(uow: UnitOfWork, consultation: str | None) -> Iterator[ViewRecord]:
    """Views whose author's latest "share views" consent is still a yes, every answer."""
    entries = uow.view_inbox.stream(ViewFilters(consultation=consultation), history=True)
    return (entry.view for entry in entries)


def write_views(views: Iterable[ViewRecord], fmt: str, out: TextIO) -> int:
    """The stored views' own fields, as CSV or JSON Lines (the record as stored)."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for view in views:
            writer.writerow([_cell(_flat(getattr(view, c))) for c in COLUMNS])
            count += 1
    else:
        for view in views:
            row = asdict(view)
            row["at"] = view.at.isoformat()
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


@dataclass(frozen=True)
class ExportRequest:
    filters: ViewFilters
    fmt: str = "csv"
    language: str = DEFAULT_LANGUAGE  # the coordinator's language, for the questions
    history: bool = False  # earlier answers too (`latest` false)


def check_request(uow: UnitOfWork, questions: QuestionTexts, request: ExportRequest) -> None:
    """Refuses an export of a consultation or theme that does not exist."""
    if request.fmt not in FORMATS:
        raise ExportError(f"unknown format {request.fmt!r}: use csv, xlsx or jsonl")
    consultation = request.filters.consultation
    if consultation is not None:
        known = sorted(set(questions.consultations()) | set(uow.view_inbox.consultations()))
        if consultation not in known:
            raise ExportError(
                f"there is no consultation {consultation!r}; known: {', '.join(known) or 'none'}"
            )
    theme = request.filters.theme_id
    if theme is not None and uow.themes.get(theme) is None:
        raise ExportError(f"there is no theme {theme}")


def export_row(entry: InboxEntry, questions: QuestionTexts, language: str) -> dict[str, Any]:
    view = entry.view
    question = questions.text(view.flow, view.question_id, language)
    return {
        "view_id": view.view_id,
        "participant_id": view.participant_id,
        "consultation": view.consultation or "",
        # A workspace consultation's version (its questions can differ between versions);
        # None (JSON null, an empty cell) for the consultations of `flows/`.
        "consultation_version": view.consultation_version,
        "flow": view.flow,
        "question_id": view.question_id,
        "question": question if question is not None else view.question_text,
        "question_text": view.question_text,
        "answer_value": view.answer_value,
        "original_text": view.original_text,
        "language": view.language,
        "register": view.register,
        "channel": view.channel,
        "at": view.at.isoformat(),
        "status": entry.status,
        "themes": [t.name for t in entry.themes if t.state == "confirmed"],
        "latest": entry.latest,
    }


def _flat(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(value)
    if value is None:
        return ""
    return value


class _Writer:
    def row(self, row: dict[str, Any]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _CsvWriter(_Writer):
    def __init__(self, out: TextIO) -> None:
        self._csv = csv.writer(out)
        self._csv.writerow(EXPORT_COLUMNS)

    def row(self, row: dict[str, Any]) -> None:
        self._csv.writerow(
            [
                ("yes" if row[c] else "no") if c == "latest" else _cell(_flat(row[c]))
                for c in EXPORT_COLUMNS
            ]
        )


class _JsonlWriter(_Writer):
    def __init__(self, out: TextIO) -> None:
        self._out = out

    def row(self, row: dict[str, Any]) -> None:
        self._out.write(json.dumps(row, ensure_ascii=False) + "\n")


class _XlsxWriter(_Writer):
    """XlsxWriter in constant-memory mode: each row is flushed to a temporary file as soon as
    the next one starts; the file is zipped together on close. Strings are written as strings
    (never formulas); a sheet that is full continues on the next."""

    def __init__(self, out: BinaryIO | str) -> None:
        import xlsxwriter

        self._book = xlsxwriter.Workbook(
            out, {"constant_memory": True, "strings_to_formulas": False, "in_memory": False}
        )
        self._bold = self._book.add_format({"bold": True})
        self._sheet: Any = None
        self._row = 0
        self._sheets = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self._sheets += 1
        name = "Views" if self._sheets == 1 else f"Views {self._sheets}"
        self._sheet = self._book.add_worksheet(name)
        for col, name in enumerate(EXPORT_COLUMNS):
            self._sheet.write_string(0, col, name, self._bold)
        self._row = 1

    def row(self, row: dict[str, Any]) -> None:
        if self._row >= XLSX_ROWS_PER_SHEET:
            self._new_sheet()
        for col, name in enumerate(EXPORT_COLUMNS):
            value = row[name]
            if name == "latest":
                self._sheet.write_boolean(self._row, col, bool(value))
            else:
                self._sheet.write_string(self._row, col, _cell(_flat(value))[:XLSX_CELL_MAX])
        self._row += 1

    def close(self) -> None:
        self._book.close()


def write_export(
    entries: Iterable[InboxEntry],
    questions: QuestionTexts,
    request: ExportRequest,
    out: IO[Any] | str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Writes the rows; `out` is a text stream for CSV and JSON Lines, a binary stream or a
    file name for XLSX. Returns the number of rows written."""
    writer: _Writer
    if request.fmt == "csv":
        writer = _CsvWriter(out)  # type: ignore[arg-type]
    elif request.fmt == "jsonl":
        writer = _JsonlWriter(out)  # type: ignore[arg-type]
    else:
        writer = _XlsxWriter(out)  # type: ignore[arg-type]
    count = 0
    for entry in entries:
        writer.row(export_row(entry, questions, request.language))
        count += 1
        if progress is not None and count % 1000 == 0:
            progress(count)
    writer.close()
    if progress is not None:
        progress(count)
    return count


class _Chunks:
    """A text sink the writers write into; `text_chunks` hands on what has gathered."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> int:
        self._parts.append(text)
        self.size += len(text)
        return len(text)

    def take(self) -> str:
        out = "".join(self._parts)
        self._parts.clear()
        self.size = 0
        return out


def text_chunks(
    entries: Iterable[InboxEntry],
    questions: QuestionTexts,
    request: ExportRequest,
    chunk_size: int = 64_000,
) -> Iterator[str]:
    """CSV or JSON Lines as pieces of about `chunk_size` characters, made as the rows are read
    (for a streamed download)."""
    sink = _Chunks()
    writer: _Writer = (
        _CsvWriter(sink) if request.fmt == "csv" else _JsonlWriter(sink)  # type: ignore[arg-type]
    )
    for entry in entries:
        writer.row(export_row(entry, questions, request.language))
        if sink.size >= chunk_size:
            yield sink.take()
    yield sink.take()


def export(
    uow: UnitOfWork,
    questions: QuestionTexts,
    request: ExportRequest,
    out: IO[Any] | str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Checks the request, then streams every matching view to `out`."""
    check_request(uow, questions, request)
    entries = uow.view_inbox.stream(request.filters, history=request.history)
    return write_export(entries, questions, request, out, progress)
