"""Consultations made in the workspace through the API, as each role, over real HTTP on
loopback; people answer through the signed Twilio webhook and the inbox worker.

- a bad consultation is stored with its problems, each naming the question, language,
  register and reason, and cannot be opened (409 with the same reasons);
- an unusable keyword is refused outright (422);
- editing a live consultation makes version 2 while a person mid-way finishes version 1, and
  each view records the version it answered;
- a closed consultation tells a late reply kindly that it has closed, keeps nothing, and
  offers the menu;
- members, anonymous callers and bad tokens get 403 / 401.
"""

from __future__ import annotations

import copy
from typing import Any

from storage.records import ViewRecord
from tests.consult.drafts import buses
from tests.workspace.harness import WorkspaceUnderTest

A = "+447700900511"
B = "+447700900512"


def _exchange(workspace: WorkspaceUnderTest, number: str, text: str) -> list[str]:
    """Sends `text` from `number`; returns the replies' texts."""
    before = len(workspace.heard.outbox())
    response, _ = workspace.heard.post_sms(number, text)
    assert response.status_code == 200
    workspace.heard.process_inbox()
    return [m.text for m in workspace.heard.outbox()[before:]]


def _start(workspace: WorkspaceUnderTest, number: str, keyword: str = "BUSES") -> list[str]:
    """A new person texts the keyword, chooses English and agrees to keep their views: the
    replies end with the consultation's first question."""
    replies = _exchange(workspace, number, keyword)
    if "Which language" in replies[-1]:
        replies = _exchange(workspace, number, "1")
    assert "May we keep your answers" in replies[-1]
    return _exchange(workspace, number, "yes")


def _views(workspace: WorkspaceUnderTest) -> list[ViewRecord]:
    with workspace.store.reading() as uow:
        return [v for v in uow.views.all() if v.consultation == "buses"]


def _opened(workspace: WorkspaceUnderTest, **extra: Any) -> dict[str, Any]:
    api = workspace.bearer("coordinator")
    made = api.post("/api/consultations", json=buses(**extra))
    assert made.status_code == 201, made.text
    assert made.json()["issues"] == [] and made.json()["can_open"]
    opened = api.post("/api/consultations/buses/open")
    assert opened.status_code == 200, opened.text
    return dict(opened.json())


def test_a_bad_consultation_shows_its_problems_and_cannot_be_opened(
    workspace: WorkspaceUnderTest,
) -> None:
    body = buses()
    del body["questions"][0]["text"]["pl"]  # no Polish for question 1
    body["questions"][1]["text"]["cy"]["easy"] = ""  # no easy read in Welsh for question 2
    api = workspace.bearer("coordinator")
    made = api.post("/api/consultations", json=body)
    assert made.status_code == 201, made.text
    out = made.json()
    assert out["status"] == "draft" and not out["can_open"]
    problems = {(i["where"], i["language"], i["register"], i["rule"]) for i in out["issues"]}
    assert ("Question 1", "pl", None, "ER-19") in problems
    assert ("Question 2", "cy", "easy", "ER-19") in problems
    refused = api.post("/api/consultations/buses/open")
    assert refused.status_code == 409
    reasons = refused.json()["detail"]["issues"]
    assert any(i["where"] == "Question 1" and "missing" in i["reason"] for i in reasons)
    assert api.get("/api/consultations/buses").json()["live_version"] is None
    # Nobody can start it: the keyword is not known to the bot.
    replies = _exchange(workspace, A, "BUSES")
    assert not any("centre" in r for r in replies)


def test_an_unusable_keyword_or_dates_the_wrong_way_round_are_refused(
    workspace: WorkspaceUnderTest,
) -> None:
    api = workspace.bearer("coordinator")
    stop = api.post("/api/consultations", json=buses("stop"))
    assert stop.status_code == 422
    (issue,) = stop.json()["detail"]["issues"]
    assert issue["where"] == "Keyword" and "already a word people send" in issue["reason"]
    backwards = api.post(
        "/api/consultations",
        json=buses(opens_at="2027-01-02T00:00:00Z", closes_at="2027-01-01T00:00:00Z"),
    )
    assert backwards.status_code == 422
    assert api.post("/api/consultations", json={"keyword": "x"}).status_code == 422
    assert api.get("/api/consultations").json() == []


def test_editing_a_live_consultation_makes_version_2_while_a_person_mid_way_finishes_1(
    workspace: WorkspaceUnderTest,
) -> None:
    opened = _opened(workspace)
    assert (opened["status"], opened["live_version"]) == ("open", 1)
    assert opened["sms_keyword"] == "BUSES"
    assert "What would make the bus better" in _start(workspace, A)[-1]
    assert "How do you get to the centre?" in _exchange(workspace, A, "Later buses")[-1]

    edited = buses()
    edited["questions"][1]["text"]["en"]["standard"] = "How do you travel to the centre?"
    api = workspace.bearer("coordinator")
    saved = api.put("/api/consultations/buses", json=edited)
    assert saved.status_code == 200, saved.text
    assert (saved.json()["live_version"], saved.json()["latest_version"]) == (2, 2)

    # Someone new gets version 2 (a sentence naming the keyword is enough) ...
    assert "What would make" in _start(workspace, B, "I want to do the buses survey")[-1]
    assert "How do you travel to the centre?" in _exchange(workspace, B, "More seats")[-1]
    _exchange(workspace, B, "1")
    # ... while the person mid-way finishes version 1.
    assert "Thank you" in _exchange(workspace, A, "2")[0]
    answered = {(v.participant_id, v.question_id): v for v in _views(workspace)}
    versions = sorted({(v.flow, v.consultation_version) for v in answered.values()})
    assert versions == [("ws_buses_v1", 1), ("ws_buses_v2", 2)]
    a_views = [v for v in answered.values() if v.flow == "ws_buses_v1"]
    assert sorted((v.question_id, v.answer_value) for v in a_views) == [
        ("q1", "Later buses"), ("q2", "taxi"),
    ]


def test_a_closed_consultation_tells_late_replies_kindly_and_keeps_nothing(
    workspace: WorkspaceUnderTest,
) -> None:
    _opened(workspace)
    _start(workspace, A)
    _exchange(workspace, A, "Later buses")
    # Changing only the dates makes no new version.
    api = workspace.bearer("coordinator")
    later = api.put("/api/consultations/buses", json=buses(closes_at="2099-01-01T00:00:00Z"))
    assert (later.json()["latest_version"], later.json()["status"]) == (1, "open")
    closed = api.post("/api/consultations/buses/close")
    assert closed.json()["status"] == "closed"
    late = _exchange(workspace, A, "1")
    assert "closed" in late[0] and "What would you like to do?" in late[-1]
    assert [v.question_id for v in _views(workspace)] == ["q1"]
    again = _exchange(workspace, A, "buses")
    assert "closed" in again[0]
    assert [v.question_id for v in _views(workspace)] == ["q1"]


def test_only_coordinators_make_consultations(workspace: WorkspaceUnderTest) -> None:
    member = workspace.bearer("member")
    assert member.get("/api/consultations").status_code == 403
    assert member.post("/api/consultations", json=buses()).status_code == 403
    admin = workspace.bearer("admin")
    assert admin.post("/api/consultations", json=buses()).status_code == 201
    anonymous = workspace.anonymous()
    assert anonymous.api("GET", "/api/consultations").status_code == 401
    schema = workspace.bearer("coordinator").get("/api/openapi.json").json()
    assert {"/consultations", "/consultations/{cid}", "/consultations/{cid}/open",
            "/consultations/{cid}/close"} <= set(schema["paths"])
    assert "ConsultationIn" in schema["components"]["schemas"]


def test_the_page_shows_the_keyword_and_the_telegram_link(
    workspace: WorkspaceUnderTest,
) -> None:
    body = copy.deepcopy(buses())
    workspace.bearer("coordinator").post("/api/consultations", json=body)
    page = workspace.web("coordinator").get("/consultations/buses")
    assert page.status_code == 200
    assert "Text <strong>BUSES</strong>" in page.text
    assert "t.me" in page.text
    assert workspace.web("member").get("/consultations/buses").status_code == 403
