"""Exports of views as coordinators get them, on SQLite and PostgreSQL: the question in the
coordinator's language beside the person's own words, themes and status, the inbox's filters,
no contact details, a mistyped consultation refused, and rows written as they are read."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest

from bot.catalogue import load_catalogue
from bot.export import ExportError, ExportRequest, export, text_chunks, write_export
from bot.flowspec.loader import load_flows
from bot.views.questions import QuestionTexts
from storage.records import ConsentEntry, ViewFilters, ViewRecord
from storage.sql import SqlStore

AT = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
PHONE = "+447700900111"


@pytest.fixture(scope="module")
def questions() -> QuestionTexts:
    return QuestionTexts(load_flows(), load_catalogue())


def _view(pid: str, n: int, text: str, language: str, question: str = "q_better") -> ViewRecord:
    return ViewRecord(
        f"v{n}", pid, "day-services-2026", "have_your_say", question, "(asked in their language)",
        text, text, language, "standard", "sms", AT + timedelta(minutes=n),
    )


def _seed(store: SqlStore) -> str:
    with store.unit_of_work() as uow:
        pid = uow.people.for_address("sms", PHONE, AT).participant_id
        uow.consent.record(ConsentEntry(pid, "share_views", True, "c", "pl", "sms", AT))
        uow.views.save(_view(pid, 1, "Lepszy autobus", "pl"))
        uow.views.save(_view(pid, 2, "=cmd|' /C calc'!A0", "en", "q_matters"))
        theme = uow.themes.create("Transport", AT)
        uow.themes.tag(["v1"], theme.theme_id, "confirmed", "person", "c@x", AT)
        uow.view_inbox.set_status(["v1"], "acted_on")
        uow.commit()
    return pid


def test_csv_has_the_question_in_english_beside_the_persons_words(
    store: SqlStore, questions: QuestionTexts
) -> None:
    _seed(store)
    out = io.StringIO()
    with store.unit_of_work() as uow:
        count = export(uow, questions, ExportRequest(ViewFilters(), "csv"), out)
    rows = {r["view_id"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    assert count == 2
    polish = rows["v1"]
    assert polish["original_text"] == "Lepszy autobus" and polish["language"] == "pl"
    assert polish["question"] == questions.text("have_your_say", "q_better", "en")
    assert polish["question"] and polish["question"] != polish["question_text"]
    assert polish["themes"] == "Transport" and polish["status"] == "acted_on"
    assert rows["v2"]["original_text"].startswith("'=")  # never a formula
    assert PHONE not in out.getvalue() and PHONE[1:] not in out.getvalue()


def test_the_question_can_be_in_the_coordinators_language(
    store: SqlStore, questions: QuestionTexts
) -> None:
    _seed(store)
    out = io.StringIO()
    with store.unit_of_work() as uow:
        export(uow, questions, ExportRequest(ViewFilters(), "jsonl", language="cy"), out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows[0]["question"] == questions.text("have_your_say", "q_better", "cy")
    assert rows[0]["themes"] == ["Transport"] and rows[0]["latest"] is True


def test_each_row_names_the_consultation_version_the_person_answered(
    store: SqlStore, questions: QuestionTexts
) -> None:
    """A workspace consultation's questions can change between versions, so its views say
    which version was answered; a view of `flows/` has none (an empty cell, JSON null). The
    workspace's download (`text_chunks`) writes the same rows."""
    pid = _seed(store)
    workspace_view = replace(
        _view(pid, 3, "More buses", "en", "q1"),
        consultation="buses", flow="ws_buses_v2", consultation_version=2,
    )
    with store.unit_of_work() as uow:
        uow.views.save(workspace_view)
        uow.commit()
    out = io.StringIO()
    with store.unit_of_work() as uow:
        export(uow, questions, ExportRequest(ViewFilters(), "csv"), out)
        entries = list(uow.view_inbox.stream(ViewFilters()))
    rows = {r["view_id"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    assert rows["v3"]["consultation_version"] == "2"
    assert rows["v1"]["consultation_version"] == ""
    lines = "".join(text_chunks(entries, questions, ExportRequest(ViewFilters(), "jsonl")))
    rows_json = [json.loads(line) for line in lines.splitlines()]
    versions = {r["view_id"]: r["consultation_version"] for r in rows_json}
    assert versions == {"v1": None, "v2": None, "v3": 2}


def test_filters_narrow_the_export_like_the_inbox(
    store: SqlStore, questions: QuestionTexts
) -> None:
    _seed(store)
    out = io.StringIO()
    with store.unit_of_work() as uow:
        export(uow, questions, ExportRequest(ViewFilters(language="pl"), "jsonl"), out)
    assert [json.loads(line)["view_id"] for line in out.getvalue().splitlines()] == ["v1"]


def test_a_mistyped_consultation_is_an_error_not_an_empty_file(
    store: SqlStore, questions: QuestionTexts
) -> None:
    _seed(store)
    out = io.StringIO()
    with store.unit_of_work() as uow, pytest.raises(ExportError, match="day-services-2026"):
        export(uow, questions, ExportRequest(ViewFilters(consultation="day-service"), "csv"), out)
    assert out.getvalue() == ""


def test_xlsx_is_a_workbook_whose_cells_are_text(
    store: SqlStore, questions: QuestionTexts, tmp_path: Path
) -> None:
    _seed(store)
    path = tmp_path / "views.xlsx"
    with store.unit_of_work() as uow:
        assert export(uow, questions, ExportRequest(ViewFilters(), "xlsx"), str(path)) == 2
    with zipfile.ZipFile(path) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in (
            book.namelist()
        ) else ""
    ElementTree.fromstring(sheet)  # well formed
    assert "<f>" not in sheet  # no formulas
    assert "Lepszy autobus" in sheet + strings


def test_rows_are_written_as_they_are_read(store: SqlStore, questions: QuestionTexts) -> None:
    """The writer takes an iterator and never holds it whole: each row is out before the
    next is read."""
    _seed(store)
    out = io.StringIO()
    seen_when_read: list[int] = []

    with store.unit_of_work() as uow:
        entries = list(uow.view_inbox.stream(ViewFilters()))

    def lazily():  # type: ignore[no-untyped-def]
        for entry in entries:
            seen_when_read.append(out.getvalue().count("\n"))
            yield entry

    write_export(lazily(), questions, ExportRequest(ViewFilters(), "jsonl"), out)
    assert seen_when_read == [0, 1]
