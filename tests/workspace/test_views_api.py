"""The views inbox, themes, sharing and exports through the API and the pages, as each role
would use them, over real HTTP on loopback: a coordinator filters, tags, sets statuses, adds
notes and shares with the `carers` group; its member then sees those views and nothing else,
tags them with the group's themes, never sees notes or contact details, and cannot export."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.records import ConsentEntry, ViewRecord
from storage.sql import SqlStore
from tests.web.harness import Brains
from tests.workspace.harness import WorkspaceUnderTest, running_workspace

AT = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
NUMBERS = ("+447700900301", "+447700900302")


def _seed(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        people = []
        for number in NUMBERS:
            pid = uow.people.for_address("sms", number, AT).participant_id
            uow.consent.record(ConsentEntry(pid, "share_views", True, "c", "en", "sms", AT))
            people.append(pid)
        rows = [
            ("v1", people[0], "q_better", "Autobus się spóźnia", "pl"),
            ("v2", people[0], "q_matters", "housing", "en"),
            ("v3", people[1], "q_better", "More carers at weekends", "en"),
            ("v4", people[1], "q_better", "Weekend carers please", "en"),  # answered again
        ]
        for n, (view_id, pid, question, text, language) in enumerate(rows):
            uow.views.save(
                ViewRecord(
                    view_id, pid, "day-services-2026", "have_your_say", question,
                    "(as asked)", text, text, language, "standard", "sms",
                    AT + timedelta(minutes=n),
                )
            )
        uow.commit()


def test_the_coordinator_filters_tags_shares_and_the_member_sees_only_that(
    workspace: WorkspaceUnderTest,
) -> None:
    _seed(workspace.store)
    coordinator = workspace.bearer("coordinator")
    member = workspace.bearer("member")

    listed = coordinator.get("/api/views").json()
    assert [v["view_id"] for v in listed["views"]] == ["v4", "v2", "v1"]  # v3 is history
    assert listed["total"] == 3 and listed["by_status"]["new"] == 3
    assert listed["views"][0]["earlier_answers"] == 1
    polish = coordinator.get("/api/views", params={"language": "pl"}).json()
    assert [v["view_id"] for v in polish["views"]] == ["v1"] and polish["total"] == 1
    assert polish["views"][0]["original_text"] == "Autobus się spóźnia"
    assert polish["views"][0]["question"] != "(as asked)"  # in English, from the catalogue
    assert coordinator.get("/api/views", params={"status": "lost"}).status_code == 422

    made = coordinator.post(
        "/api/themes", json={"name": "Transport", "keywords": {"pl": ["autobus"]}}
    )
    assert made.status_code == 201
    theme = made.json()["theme_id"]
    assert coordinator.post("/api/themes", json={"name": "transport"}).status_code == 409
    carers = coordinator.post("/api/themes", json={"name": "Care at home", "group": "carers"})
    carers_theme = carers.json()["theme_id"]
    tagged = coordinator.post(f"/api/views/{'v1'}/themes", json={"theme_id": theme})
    assert tagged.json() == {"changed": 1}
    assert coordinator.post("/api/views/v1/status", json={"status": "acted_on"}).status_code == 200
    assert coordinator.post("/api/views/v1/status", json={"status": "gone"}).status_code == 422
    assert coordinator.post("/api/views/v1/notes", json={"text": "Raised it"}).status_code == 200
    by_theme = coordinator.get("/api/views", params={"theme": theme}).json()
    assert [v["view_id"] for v in by_theme["views"]] == ["v1"]
    assert by_theme["views"][0]["status"] == "acted_on"
    counts = {t["name"]: t["confirmed"] for t in coordinator.get("/api/themes").json()}
    assert counts == {"Transport": 1, "Care at home": 0}

    assert member.get("/api/views").json()["total"] == 0  # nothing shared yet
    shared = coordinator.post("/api/views/share", json={"view_ids": ["v4"], "group": "carers"})
    assert shared.json() == {"changed": 1}

    seen = member.get("/api/views").json()
    assert [v["view_id"] for v in seen["views"]] == ["v4"] and seen["total"] == 1
    assert seen["views"][0]["groups"] == ["carers"] and seen["views"][0]["status"] == "shared"
    assert member.get("/api/views/v1").status_code == 404
    detail = member.get("/api/views/v4").json()
    assert detail["notes"] == []
    assert [h["view_id"] for h in detail["history"]] == ["v4", "v3"]
    assert [t["name"] for t in member.get("/api/themes").json()] == ["Care at home"]
    assert member.post("/api/views/v4/themes", json={"theme_id": carers_theme}).status_code == 200
    assert member.post("/api/views/v4/themes", json={"theme_id": theme}).status_code == 403
    assert member.post("/api/views/v1/themes", json={"theme_id": carers_theme}).status_code == 404
    assert member.post("/api/views/v4/status", json={"status": "read"}).status_code == 403
    assert member.post("/api/views/v4/notes", json={"text": "x"}).status_code == 403
    assert member.post("/api/themes", json={"name": "Mine"}).status_code == 403
    assert member.post(
        "/api/views/share", json={"view_ids": ["v1"], "group": "carers"}
    ).status_code == 403
    assert member.get("/api/export").status_code == 403
    everything = json.dumps(member.get("/api/views/v4").json())
    assert not any(n in everything or n[1:] in everything for n in NUMBERS)


def test_views_of_someone_who_withdrew_disappear_from_the_api(
    workspace: WorkspaceUnderTest,
) -> None:
    _seed(workspace.store)
    with workspace.store.unit_of_work() as uow:
        pid = uow.people.for_address("sms", NUMBERS[0], AT).participant_id
        uow.consent.record(ConsentEntry(pid, "share_views", False, "c", "en", "sms", AT))
        uow.commit()
    coordinator = workspace.bearer("coordinator")
    assert [v["view_id"] for v in coordinator.get("/api/views").json()["views"]] == ["v4"]
    assert coordinator.get("/api/views/v1").status_code == 404


def test_export_download_with_filters_and_a_mistyped_consultation(
    workspace: WorkspaceUnderTest,
) -> None:
    _seed(workspace.store)
    coordinator = workspace.bearer("coordinator")
    response = coordinator.get("/api/export", params={"format": "csv", "language": "en"})
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["view_id"] for r in rows] == ["v2", "v4"]
    assert not any(n in response.text or n[1:] in response.text for n in NUMBERS)
    lines = coordinator.get("/api/export", params={"format": "jsonl"}).text.splitlines()
    assert len(lines) == 3
    book = coordinator.get("/api/export", params={"format": "xlsx"})
    assert book.status_code == 200 and book.content[:2] == b"PK"
    wrong = coordinator.get("/api/export", params={"consultation": "day-service-2026"})
    assert wrong.status_code == 422 and "day-services-2026" in wrong.text


def test_pages_filter_act_in_batch_and_refuse_a_member_the_export(
    workspace: WorkspaceUnderTest,
) -> None:
    _seed(workspace.store)
    web = workspace.web("coordinator")
    page = web.get("/views", params={"language": "pl"})
    assert page.status_code == 200
    assert "Autobus się spóźnia" in page.text and "More carers" not in page.text
    assert "<strong>1</strong> view match" in page.text
    done = web.post("/views", {"view_id": "v1", "action": "share", "group": "carers"})
    assert "Shared 1 view(s) with carers" in done.text
    themes = web.post("/themes", {"name": "Transport", "keywords_pl": "autobus"})
    assert "1 view(s) suggested by keyword" in themes.text
    detail = web.get("/views/v4")
    assert "answered this question 2 times" in detail.text
    web.post("/views/v4", {"action": "note", "note": "Call the care provider"})
    assert "Call the care provider" in web.get("/views/v4").text
    export = web.get("/export", params={"format": "csv"})
    assert export.status_code == 200 and export.text.startswith("view_id,")

    member = workspace.web("member")
    mine = member.get("/views")
    assert "Autobus się spóźnia" in mine.text and "housing" not in mine.text
    assert member.get("/views/v2").status_code == 404
    assert "Call the care provider" not in member.get("/views/v4").text
    assert member.get("/export").status_code == 403


def test_a_view_from_a_polish_sms_conversation_reaches_the_inbox_and_the_group(
    workspace: WorkspaceUnderTest,
) -> None:
    number = "+447700900399"
    for text in ("Dzień dobry", "tak", "Lepszy transport do ośrodka"):
        response, _ = workspace.heard.post_sms(number, text)
        assert response.status_code == 200
        workspace.heard.process_inbox()
    coordinator = workspace.bearer("coordinator")
    listed = coordinator.get("/api/views", params={"language": "pl"}).json()
    (view,) = listed["views"]
    assert view["original_text"] == "Lepszy transport do ośrodka"
    assert view["consultation"] == "day-services-2026" and view["channel"] == "sms"
    assert view["question"] != view["question_as_asked"]  # English beside the Polish
    assert number not in json.dumps(listed) and number[1:] not in json.dumps(listed)
    share = {"view_ids": [view["view_id"]], "group": "carers"}
    assert coordinator.post("/api/views/share", json=share).json() == {"changed": 1}
    seen = workspace.bearer("member").get("/api/views").json()["views"]
    assert [v["original_text"] for v in seen] == ["Lepszy transport do ośrodka"]


def test_ids_that_are_not_plain_numbers_are_not_found_never_a_500(
    workspace: WorkspaceUnderTest,
) -> None:
    """'²' is a digit to str.isdigit but not to int; 30 digits overflow the database's keys."""
    coordinator = workspace.web("coordinator")
    admin = workspace.web("admin")
    for odd in ("%C2%B2", "99999999999999999999999999999", "%D9%A1"):
        assert coordinator.get(f"/themes/{odd}").status_code == 404
        assert coordinator.get(f"/views?theme={odd}").status_code in (200, 422)
        assert admin.get(f"/audit?before={odd}").status_code == 200
    assert coordinator.post("/themes", {"name": "Buses"}).status_code == 200
    tagged = coordinator.post("/views", {"action": "tag", "theme_id": "²", "view_id": "x"})
    assert tagged.status_code == 200


def test_names_longer_than_their_column_are_refused_with_a_reason(
    brains: Brains, sql_store: SqlStore, tmp_path: Path
) -> None:
    """On SQLite and PostgreSQL (where they were a 500): a theme or working group named with
    201 characters is refused on the pages and in the API, and nothing is made."""
    with running_workspace(brains, sql_store, tmp_path) as workspace:
        _seed(workspace.store)
        page = workspace.web("coordinator")
        long = "<b>" + "n" * 198
        made = page.post("/themes", {"name": long})
        assert made.status_code == 200 and "at most 200 characters" in made.text
        assert "<b>nnn" not in made.text
        made = page.post("/themes", {"name": "Buses", "group": long})
        assert "at most 200 characters" in made.text
        shared = page.post("/views", {"action": "share", "group": long, "view_id": "v1"})
        assert shared.status_code == 200 and "at most 200 characters" in shared.text
        api = workspace.bearer("coordinator")
        assert api.post("/api/themes", json={"name": "Buses", "group": long}).status_code == 422
        assert api.post(
            "/api/views/share", json={"view_ids": ["v1"], "group": long}
        ).status_code == 422
        assert api.get("/api/themes").json() == []
        assert api.post("/api/views/v1/themes", json={"theme_id": 10**30}).status_code == 422


def test_the_last_day_a_date_can_hold_is_a_filter_error_not_a_500(
    workspace: WorkspaceUnderTest,
) -> None:
    page = workspace.web("coordinator")
    answer = page.get("/views?until=9999-12-31")
    assert answer.status_code == 200 and "is not a date like 2026-11-27" in answer.text
    api = workspace.bearer("coordinator")
    assert api.get("/api/views", params={"until": "9999-12-31"}).status_code in (400, 422)
