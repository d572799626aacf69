"""Consultations made in the workspace, stored as versioned data, on SQLite and PostgreSQL: a
version that was open is never changed again (an edit is the next version), the latest draft
is changed in place, keywords are unique, and a view records the version it answered."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from storage.records import ConsentEntry, ViewRecord
from storage.repositories.consultations import ConsultationExists
from storage.sql import SqlStore

AT = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def _doc(n: int) -> str:
    return json.dumps({"flow": {"n": n}, "texts": {}})


def test_an_edit_changes_the_draft_until_it_is_opened_then_makes_a_new_version(
    sql_store: SqlStore,
) -> None:
    with sql_store.unit_of_work() as uow:
        uow.consultations.create("buses", "buses", _doc(1), by="c@example.org", at=AT)
        assert uow.consultations.save_version("buses", _doc(2), by="c@example.org", at=AT) == 1
        uow.consultations.open_version("buses", 1, AT)
        assert uow.consultations.save_version("buses", _doc(3), by="c@example.org", at=AT) == 2
        assert uow.consultations.save_version("buses", _doc(4), by="c@example.org", at=AT) == 2
        uow.commit()
    with sql_store.unit_of_work() as uow:
        record = uow.consultations.get("buses")
        assert record is not None
        assert (record.live_version, record.latest_version) == (1, 2)
        first, second = uow.consultations.version("buses", 1), uow.consultations.version("buses", 2)
        assert first is not None and second is not None
        assert first.document == _doc(2) and first.opened_at == AT
        assert second.document == _doc(4) and second.opened_at is None
        # People get version 1 until version 2 is opened; then both stay for those mid-way.
        assert [(v, d) for _, v, d in uow.consultations.live_documents()] == [(1, _doc(2))]
        uow.consultations.open_version("buses", 2, AT + timedelta(hours=1))
        uow.commit()
    with sql_store.reading() as uow:
        assert [v for _, v, _ in uow.consultations.live_documents()] == [1, 2]
        assert uow.consultations.fingerprint() == (("buses", "buses", 2, None, None),)


def test_keywords_are_unique_and_dates_decide_when_it_is_open(sql_store: SqlStore) -> None:
    closes = AT + timedelta(days=7)
    with sql_store.unit_of_work() as uow:
        uow.consultations.create(
            "buses", "buses", _doc(1), by="c", at=AT, opens_at=AT, closes_at=closes
        )
        with pytest.raises(ConsultationExists):
            uow.consultations.create("other", "buses", _doc(1), by="c", at=AT)
        uow.consultations.create("parks", "parks", _doc(1), by="c", at=AT + timedelta(minutes=1))
        with pytest.raises(ConsultationExists):
            uow.consultations.set_details(
                "parks", keyword="buses", opens_at=None, closes_at=None, at=AT
            )
        uow.commit()
    with sql_store.reading() as uow:
        listed = uow.consultations.all()
        assert [r.consultation_id for r in listed] == ["parks", "buses"]  # newest first
        buses = listed[1]
        assert buses.opens_at == AT and buses.closes_at == closes
        assert not buses.is_open(AT)  # never opened
    with sql_store.unit_of_work() as uow:
        uow.consultations.open_version("buses", 1, AT)
        uow.commit()
        buses = uow.consultations.get("buses")
        assert buses is not None
        assert not buses.is_open(AT - timedelta(seconds=1))
        assert buses.is_open(AT) and not buses.is_open(closes)


def test_a_view_keeps_the_version_it_answered(sql_store: SqlStore) -> None:
    with sql_store.unit_of_work() as uow:
        pid = uow.people.for_address("sms", "+447700900401", AT).participant_id
        uow.consent.record(ConsentEntry(pid, "share_views", True, "c", "en", "sms", AT))
        for version in (1, 2):
            uow.views.save(
                ViewRecord(
                    f"v{version}", pid, "buses", f"ws_buses_v{version}", "q1", "(asked)",
                    "Late buses", "Late buses", "en", "standard", "sms",
                    AT + timedelta(minutes=version), consultation_version=version,
                )
            )
        uow.commit()
    with sql_store.reading() as uow:
        kept = {v.view_id: v.consultation_version for v in uow.views.all()}
    assert kept == {"v1": 1, "v2": 2}
