"""Working groups and recruitment as coordinators and the people texting Heard meet them: a
person joins through the signed Twilio webhook, appears as interested in the group whose topics
match, a coordinator moves them to contacted with an invitation, the fake Twilio API receives
it in the person's language, and their YES moves them to joined. The bot names only the support
a configured group offers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import httpx

from bot.flowspec import load_flows
from bot.workspace.groups import TOPICS
from storage.sql import SqlStore
from tests.fakes.telegram_api import text_update
from tests.web.harness import Brains, pipeline
from tests.workspace.harness import WorkspaceUnderTest, add_accounts

NUMBER = "+447700900555"
CARERS = {
    "name": "Grupa opiekunów",
    "purpose": "Planning carers' breaks",
    "topics": ["day_services", "carers"],
    "meeting_pattern": "First Tuesday, 6pm",
    "support": ["interpreter", "travel_costs"],
    "attendance": "both",
}
# A Polish speaker: the language menu, keep answers, then MENU, join a group, agree to be
# contacted, yes, topics day services and home care, weekdays, no needs of the first
# kinds, a step-free venue (the first of the second), by text message.
JOIN_IN_POLISH = ("ok", "3", "1", "MENU", "2", "1", "1", "1 2", "1", "4", "1", "1")
JOIN_IN_ENGLISH = ("hello", "1", "1", "MENU", "2", "1", "1", "1 2", "1", "4", "1", "1")


def texts_to(workspace: WorkspaceUnderTest, number: str) -> list[str]:
    twilio = workspace.heard.twilio
    assert twilio is not None
    return [m["body"] for m in twilio.created if m["to"] == number]


def say(workspace: WorkspaceUnderTest, number: str, *texts: str) -> None:
    for text in texts:
        response, _ = workspace.heard.post_sms(number, text)
        assert response.status_code == 200
        workspace.heard.process_inbox()


def create_group(workspace: WorkspaceUnderTest, **changes: object) -> int:
    made = workspace.bearer("coordinator").post("/api/groups", json={**CARERS, **changes})
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def test_the_join_flow_topics_are_the_ones_coordinators_choose_from() -> None:
    flow = load_flows().flows["working_group"]
    offered = {
        option.value
        for step_id in ("q_topics", "q_topics_more")
        for option in flow.steps[step_id].options  # type: ignore[attr-defined]
    } - {"more"}
    assert offered == set(TOPICS)


def test_a_person_who_joins_by_sms_is_invited_and_their_yes_shows_them_joined(
    workspace: WorkspaceUnderTest,
) -> None:
    group = create_group(workspace)
    say(workspace, NUMBER, *JOIN_IN_POLISH)
    api = workspace.bearer("coordinator")
    listed = api.get(f"/api/groups/{group}/pipeline")
    assert listed.status_code == 200
    (person,) = listed.json()
    assert person["stage"] == "interested" and person["language"] == "pl"
    assert person["topics"] == ["day_services", "home_care"]
    assert person["contact_method"] == "text_message" and person["can_invite"]
    assert NUMBER not in listed.text and NUMBER[1:] not in listed.text
    pid = person["participant_id"]

    moved = api.post(
        f"/api/groups/{group}/pipeline/{pid}/move",
        json={"stage": "contacted", "invite": True, "date": "2099-12-09", "time": "18:00"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["invited"] and moved.json()["by"] == workspace.email("coordinator")
    with workspace.store.unit_of_work() as uow:
        (logged,) = [e for e in uow.audit.recent() if e.action == "pipeline_move"]
    assert logged.subject == f"group-{group}:{pid}"
    assert logged.actor == workspace.email("coordinator")
    assert logged.reason == "interested -> contacted, invited for 2099-12-09 18:00"
    workspace.heard.run_all()
    invitation = texts_to(workspace, NUMBER)[-1]
    assert "Grupa opiekunów" in invitation and "2099-12-09 18:00" in invitation
    assert "Oferujemy" in invitation and "dojazd" in invitation  # Polish, with its offers
    assert "opiek" not in invitation.replace("Grupa opiekunów", "")  # no childcare offered
    (listed_now,) = api.get(f"/api/groups/{group}/pipeline").json()
    assert listed_now["stage"] == "contacted" and listed_now["invited_for"] == "2099-12-09 18:00"

    # Not a clear yes or no: asked again, saying exactly what to send; nothing recorded.
    say(workspace, NUMBER, "może")
    workspace.heard.send_outbox()
    retry = texts_to(workspace, NUMBER)[-2]
    assert "1" in retry and "2" in retry
    assert api.get(f"/api/groups/{group}/pipeline").json()[0]["stage"] == "contacted"

    say(workspace, NUMBER, "tak")
    workspace.heard.send_outbox()
    (joined,) = api.get(f"/api/groups/{group}/pipeline").json()
    assert joined["stage"] == "joined" and joined["moved_by"] is None
    assert "przyjdziesz" in texts_to(workspace, NUMBER)[-2] + texts_to(workspace, NUMBER)[-1]
    page = workspace.web("coordinator").get(f"/groups/{group}")
    assert page.status_code == 200 and "Joined (1)" in page.text
    assert "the person (their reply)" in page.text


def test_nobody_who_said_stop_is_invited(workspace: WorkspaceUnderTest) -> None:
    group = create_group(workspace)
    say(workspace, NUMBER, *JOIN_IN_POLISH, "STOP")
    api = workspace.bearer("coordinator")
    (person,) = api.get(f"/api/groups/{group}/pipeline").json()
    assert not person["can_invite"]
    path = f"/api/groups/{group}/pipeline/{person['participant_id']}/move"
    refused = api.post(path, json={"stage": "contacted", "invite": True, "date": "2099-12-09"})
    assert refused.status_code == 409
    workspace.heard.run_all()
    assert not any("2099-12-09" in text for text in texts_to(workspace, NUMBER))
    # A move without an invitation is still the coordinator's to make (they may phone a worker).
    assert api.post(path, json={"stage": "declined"}).status_code == 200


def test_the_bot_names_only_the_support_a_configured_group_offers(
    workspace: WorkspaceUnderTest,
) -> None:
    create_group(workspace, support=["childcare_costs"])
    say(workspace, NUMBER, *JOIN_IN_ENGLISH)
    workspace.heard.send_outbox()
    said = " ".join(texts_to(workspace, NUMBER)).lower()
    assert "we pay childcare" in said and "travel" not in said


def test_without_a_group_offering_money_the_bot_promises_none(
    workspace: WorkspaceUnderTest,
) -> None:
    create_group(workspace, support=["step_free"])
    say(workspace, NUMBER, *JOIN_IN_ENGLISH)
    workspace.heard.send_outbox()
    said = " ".join(texts_to(workspace, NUMBER)).lower()
    assert "noted that you would like to join" in said and "we pay" not in said
    assert "childcare" not in said and "travel" not in said  # not even as a need to ask about


def test_volunteers_export_without_contact_and_a_reveal_needs_a_reason_and_is_audited(
    workspace: WorkspaceUnderTest,
) -> None:
    group = create_group(workspace)
    say(workspace, NUMBER, *JOIN_IN_POLISH)
    api = workspace.bearer("coordinator")
    exported = api.get(f"/api/groups/{group}/export")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 1 and rows[0]["contact_method"] == "text_message"
    assert NUMBER[-9:] not in exported.text
    page_csv = workspace.web("coordinator").get(f"/groups/{group}/export.csv")
    assert page_csv.status_code == 200 and NUMBER[-9:] not in page_csv.text

    pid = rows[0]["participant_id"]
    path = f"/api/groups/{group}/pipeline/{pid}/reveal"
    assert api.post(path, json={"reason": "short"}).status_code == 422
    revealed = api.post(path, json={"reason": "To arrange a taxi to the meeting"})
    assert revealed.status_code == 200 and revealed.json()["address"] == NUMBER
    with workspace.store.unit_of_work() as uow:
        entries = uow.audit.recent()
    reveal = [e for e in entries if e.action == "reveal_contact"]
    assert reveal and reveal[0].reason == "To arrange a taxi to the meeting"
    assert reveal[0].subject == f"group-{group}:{pid}"
    assert NUMBER not in json.dumps([e.reason for e in entries])


def test_groups_api_checks_what_it_is_given_and_members_are_refused(
    workspace: WorkspaceUnderTest,
) -> None:
    api = workspace.bearer("coordinator")
    group = create_group(workspace)
    again = api.post("/api/groups", json={**CARERS, "name": "GRUPA OPIEKUNÓW"})
    assert again.status_code == 409
    bad = api.post("/api/groups", json={**CARERS, "name": "x", "support": ["free lunch"]})
    assert bad.status_code == 422
    changed = api.put(f"/api/groups/{group}", json={**CARERS, "support": []})
    assert changed.status_code == 200 and changed.json()["support"] == []
    # A refused change commits nothing: the group keeps its name.
    other = create_group(workspace, name="Bus users")
    clash = api.put(f"/api/groups/{other}", json={**CARERS, "name": CARERS["name"]})
    assert clash.status_code == 409
    assert api.get(f"/api/groups/{other}").json()["name"] == "Bus users"
    assert api.get("/api/groups/999").status_code == 404
    missing = api.post(f"/api/groups/{group}/pipeline/nobody/move", json={"stage": "joined"})
    assert missing.status_code == 404
    wrong_dates = (("2001-01-01", ""), ("2099-02-30", ""), ("9 Dec", ""), ("2099-12-09", "25:00"))
    for date, time in wrong_dates:
        wrong = api.post(
            f"/api/groups/{group}/pipeline/nobody/move",
            json={"stage": "contacted", "invite": True, "date": date, "time": time},
        )
        assert wrong.status_code == 400, (date, time)
    assert workspace.bearer("member").get("/api/groups").status_code == 403
    assert workspace.bearer("member").post("/api/groups", json=CARERS).status_code == 403
    assert workspace.bearer("admin").get("/api/groups").status_code == 200
    assert "/groups/{group_id}/pipeline" in api.get("/api/openapi.json").json()["paths"]


def test_coordinators_create_and_edit_groups_in_the_pages(workspace: WorkspaceUnderTest) -> None:
    web = workspace.web("coordinator")
    made = web.http.post(
        "/groups",
        data={
            "csrf_token": web.csrf, "name": "Housing panel", "purpose": "Homes",
            "topics": ["housing"], "support": ["bsl", "step_free"], "attendance": "online",
            "meeting_pattern": "Monthly",
        },
    )
    assert made.status_code == 303
    path = made.headers["location"].split("?")[0]
    shown = web.get(path).text
    assert "Housing panel" in shown and "BSL interpreter" in shown and "Online" in shown
    empty = web.post("/groups", {"name": " "})
    assert empty.status_code == 400 and "Give the group a name" in empty.text
    edited = web.http.post(
        path, data={"csrf_token": web.csrf, "name": "Housing panel", "attendance": "both"}
    )
    assert edited.status_code == 303
    assert "Online and in person" in web.get(path).text
    assert web.get("/groups/999").status_code == 404
    assert workspace.web("member").get("/groups").status_code == 403


def test_every_branch_on_group_support_comes_after_a_question_of_its_flow() -> None:
    """The host reads the groups' offers only for a person already inside a flow with such a
    branch (bot.service.conversation), so no branch may be reached from a flow's start without
    a question first."""
    from bot.flowspec.checks import exits
    from bot.flowspec.model import AskStep, BranchStep

    for flow in load_flows().flows.values():
        seen: set[str] = set()
        todo = [flow.start]
        while todo:
            step = flow.steps.get(todo.pop())
            if step is None or step.id in seen or isinstance(step, AskStep):
                continue
            seen.add(step.id)
            assert not (
                isinstance(step, BranchStep) and step.on == "deployment.group_support"
            ), (flow.id, step.id)
            todo.extend(exits(step))


def test_a_telegram_volunteer_is_invited_with_buttons_and_taps_yes(
    brains: Brains, sqlite_store: SqlStore, tmp_path: Path
) -> None:
    chat = 770090055
    with pipeline(brains, sqlite_store, tmp_path, twilio=False, telegram=True) as heard:
        api = httpx.Client(
            base_url=heard.url, timeout=30,
            headers={"Authorization": f"Bearer {add_accounts(sqlite_store)['coordinator']}"},
        )
        made = api.post("/api/groups", json={**CARERS, "support": ["bsl"]})
        assert made.status_code == 201
        group = made.json()["id"]
        for n, text in enumerate(JOIN_IN_ENGLISH, start=1):
            update = text_update(n, chat, text, 1_790_000_000 + n)
            assert heard.post_telegram(update).status_code == 200
            heard.process_inbox()
        (person,) = api.get(f"/api/groups/{group}/pipeline").json()
        assert person["can_invite"] and str(chat) not in json.dumps(person)
        moved = api.post(
            f"/api/groups/{group}/pipeline/{person['participant_id']}/move",
            json={"stage": "contacted", "invite": True, "date": "2099-12-09"},
        )
        assert moved.status_code == 200
        heard.run_all()
        assert heard.telegram is not None
        invitation = heard.telegram.sent[-1]
        assert invitation.chat_id == str(chat) and "2099-12-09" in invitation.text
        assert "British Sign Language interpreter" in invitation.text
        buttons = json.dumps(invitation.reply_markup)
        assert "Yes" in buttons and "No" in buttons
        update = text_update(100, chat, "Yes", 1_790_000_100)
        assert heard.post_telegram(update).status_code == 200
        heard.process_inbox()
        (joined,) = api.get(f"/api/groups/{group}/pipeline").json()
        assert joined["stage"] == "joined"
        api.close()
