"""What coordinators get from `heard export views`: only views people still let us keep, and
cells that cannot run or disguise themselves in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from bot.export import shareable_views, write_views
from storage.records import ConsentEntry, ViewRecord
from storage.sql import SqlStore

AT = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def _view(pid: str, text: str, n: int) -> ViewRecord:
    return ViewRecord(
        f"v{n}", pid, "day-services-2026", "have_your_say", "q_better", "What would help?",
        text, text, "en", "standard", "sms", AT,
    )


def _two_people(store: SqlStore, withdraw_second: bool) -> tuple[SqlStore, str, str]:
    with store.unit_of_work() as uow:
        first = uow.people.for_address("sms", "+447700900101", AT).participant_id
        second = uow.people.for_address("sms", "+447700900102", AT).participant_id
        for n, pid in enumerate((first, second)):
            uow.consent.record(ConsentEntry(pid, "share_views", True, "c", "en", "sms", AT))
            uow.views.save(_view(pid, f"=HYPERLINK(\"http://x\") answer {n}", n))
        uow.views.save(_view(first, "Bus \u202eevil\u202c times", 9))
        if withdraw_second:
            uow.consent.record(ConsentEntry(second, "share_views", False, "c", "en", "sms", AT))
        uow.commit()
    return store, first, second


def test_views_of_someone_who_withdrew_are_not_exported(sql_store: SqlStore) -> None:
    store, first, second = _two_people(sql_store, withdraw_second=True)
    with store.unit_of_work() as uow:
        exported = list(shareable_views(uow, None))
        assert len(list(uow.views.all())) == 3  # still stored until erased; just not exported
    assert {v.participant_id for v in exported} == {first}
    assert second not in {v.participant_id for v in exported}


def test_everyone_who_still_consents_is_exported(sql_store: SqlStore) -> None:
    store, first, second = _two_people(sql_store, withdraw_second=False)
    with store.unit_of_work() as uow:
        exported = list(shareable_views(uow, None))
    assert {v.participant_id for v in exported} == {first, second}


def test_csv_cells_cannot_run_as_formulas_or_hide_text(sql_store: SqlStore) -> None:
    store, _, _ = _two_people(sql_store, withdraw_second=False)
    out = io.StringIO()
    with store.unit_of_work() as uow:
        write_views(shareable_views(uow, None), "csv", out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    answers = [r["original_text"] for r in rows]
    assert all(not a.startswith("=") for a in answers)
    assert "'=HYPERLINK(\"http://x\") answer 0" in answers
    assert "Bus [U+202E]evil[U+202C] times" in answers


def test_jsonl_keeps_the_original_text_exactly(sql_store: SqlStore) -> None:
    store, _, _ = _two_people(sql_store, withdraw_second=False)
    out = io.StringIO()
    with store.unit_of_work() as uow:
        write_views(shareable_views(uow, None), "jsonl", out)
    texts = [json.loads(line)["original_text"] for line in out.getvalue().splitlines()]
    assert "Bus \u202eevil\u202c times" in texts
