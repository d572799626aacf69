"""\"You said, we did\" through the API, end to end over real HTTP on loopback: a person answers
the consultation by SMS and agrees to updates; a coordinator tags the view with a theme, writes
an update (the lint, encoding, segments and cost come back per text, missing texts listed),
sends it; the fake Twilio API receives it once, a status callback marks it delivered, and the
person's reply is kept as a view on the update. Members are refused; bad input is a clear 4xx.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.updates.send import send_now
from storage.sql import SqlStore
from tests.fakes.twilio_api import status_form
from tests.web.harness import ACCOUNT, Brains, twilio_signature
from tests.workspace.harness import WorkspaceUnderTest, running_workspace

PERSON = "+447700900777"
ENGLISH = "You said the bus was often late. From May the 23 comes every 20 minutes."
# Urdu: UCS-2, and long enough for several segments.
URDU = "آپ نے کہا کہ بس اکثر دیر سے آتی ہے۔ مئی سے بس ہر بیس منٹ بعد آئے گی۔ شکریہ۔"


@pytest.fixture
def updates_workspace(
    brains: Brains, sqlite_store: SqlStore, tmp_path: Path
) -> Iterator[WorkspaceUnderTest]:
    env = {"HEARD_SENDS_UPDATES": "yes", "HEARD_SMS_SEGMENT_PRICE": "0.05"}
    with running_workspace(brains, sqlite_store, tmp_path, env=env) as under_test:
        yield under_test


def converse(ws: WorkspaceUnderTest, *texts: str) -> list[str]:
    """Texts from the person, each turn run; returns the replies queued for them."""
    before = len(ws.heard.outbox())
    for text in texts:
        response, _ = ws.heard.post_sms(PERSON, text)
        assert response.status_code == 200
        ws.heard.process_inbox()
    return [m.text for m in ws.heard.outbox()[before:]]


def test_an_update_goes_to_the_person_once_and_their_reply_is_a_view_on_it(
    updates_workspace: WorkspaceUnderTest,
) -> None:
    ws = updates_workspace
    replies = converse(ws, "Hello", "1", "The bus is always late", "skip", "skip", "skip", "skip")
    assert "what changed" in replies[-1], replies  # the updates question, after the view
    assert "what changed" in converse(ws, "yes")[0]  # "we will text you what changed"
    ws.heard.send_outbox()

    coordinator = ws.bearer("coordinator")
    theme = coordinator.post("/api/themes", json={"name": "Transport"}).json()
    (view,) = [v for v in coordinator.get("/api/views").json()["views"]
               if v["question_id"] == "q_better"]
    tagged = coordinator.post(f"/api/views/{view['view_id']}/themes",
                              json={"theme_id": theme["theme_id"]})
    assert tagged.status_code == 200

    created = coordinator.post("/api/updates", json={
        "theme_id": theme["theme_id"], "title": "Buses",
        "texts": [
            {"language": "en", "language_register": "standard", "text": ENGLISH},
            {"language": "ur", "language_register": "standard", "text": URDU},
        ],
    })
    assert created.status_code == 201, created.text
    update = created.json()
    by_language = {t["language"]: t for t in update["texts"]}
    assert by_language["en"]["encoding"] == "GSM-7" and by_language["en"]["segments"] == 1
    assert by_language["en"]["cost"] == pytest.approx(0.05)
    assert by_language["ur"]["encoding"] == "UCS-2" and by_language["ur"]["segments"] == 2
    assert update["status"] == "draft" and update["delivery"] == []
    # The one person reads English in the standard register: nothing missing for them.
    assert update["missing"] == []

    sent = coordinator.post(f"/api/updates/{update['update_id']}/send")
    assert sent.status_code == 202 and sent.json()["status"] == "sending"
    send_now(ws.store, ws.heard.runtime.catalogue, update["update_id"])
    ws.heard.send_outbox()
    assert ws.heard.twilio is not None
    got = [c for c in ws.heard.twilio.created if c["to"] == PERSON and c["body"] == ENGLISH]
    assert len(got) == 1
    counts = coordinator.get(f"/api/updates/{update['update_id']}").json()
    assert counts["status"] == "sent"
    assert counts["delivery"] == [{
        "language": "en", "channel": "sms", "queued": 0, "sent": 1, "delivered": 0,
        "failed": 0, "opted_out": 0, "held_back": 0,
    }]

    # Twilio reports it delivered.
    sid = got[0]["sid"]
    callback = urlsplit(ws.heard.twilio.status_callbacks[sid])
    path = f"{callback.path}?{callback.query}"
    form = status_form(ACCOUNT, sid, "delivered")
    response = ws.heard.http.post(
        f"{ws.url}{path}", data=form, headers={"X-Twilio-Signature": twilio_signature(path, form)}
    )
    assert response.status_code in (200, 204)
    counts = coordinator.get(f"/api/updates/{update['update_id']}").json()
    assert counts["delivery"][0]["delivered"] == 1 and counts["delivery"][0]["sent"] == 0

    # The person answers the update: a view on it, and a thank-you.
    assert converse(ws, "That is much better, thank you")[0].startswith("Thank you")
    question = f"update-{update['update_id']}"
    views = coordinator.get("/api/views").json()["views"]
    (answer,) = [v for v in views if v["question_id"] == question]
    assert answer["original_text"] == "That is much better, thank you"

    # Sending again sends nobody anything twice.
    coordinator.post(f"/api/updates/{update['update_id']}/send")
    send_now(ws.store, ws.heard.runtime.catalogue, update["update_id"])
    ws.heard.send_outbox()
    assert len([c for c in ws.heard.twilio.created if c["body"] == ENGLISH]) == 1


def test_members_are_refused_and_bad_input_is_a_clear_error(
    updates_workspace: WorkspaceUnderTest,
) -> None:
    ws = updates_workspace
    coordinator, member = ws.bearer("coordinator"), ws.bearer("member")
    theme = coordinator.post("/api/themes", json={"name": "Housing"}).json()
    body = {"theme_id": theme["theme_id"], "title": "Repairs", "texts": []}
    assert member.post("/api/updates", json=body).status_code == 403
    assert coordinator.post("/api/updates", json={**body, "theme_id": 999}).status_code == 404
    bad_language = {**body, "texts": [{"language": "xx", "language_register": "standard",
                                       "text": "Hi"}]}
    assert coordinator.post("/api/updates", json=bad_language).status_code == 422
    bad_register = {**body, "texts": [{"language": "en", "language_register": "plain",
                                       "text": "Hi"}]}
    assert coordinator.post("/api/updates", json=bad_register).status_code == 422
    created = coordinator.post("/api/updates", json=body).json()
    assert coordinator.post(f"/api/updates/{created['update_id']}/send").status_code == 409
    assert member.get(f"/api/updates/{created['update_id']}").status_code == 403
    assert coordinator.get("/api/updates/999").status_code == 404
    paths = coordinator.get("/api/openapi.json").json()["paths"]
    assert {"/updates", "/updates/{update_id}", "/updates/{update_id}/send"} <= set(paths)


def test_stop_after_the_update_was_queued_means_it_is_never_sent(
    updates_workspace: WorkspaceUnderTest,
) -> None:
    ws = updates_workspace
    converse(ws, "Hello", "1", "The bus is always late", "skip", "skip", "skip", "skip", "yes")
    ws.heard.send_outbox()
    coordinator = ws.bearer("coordinator")
    theme = coordinator.post("/api/themes", json={"name": "Transport"}).json()
    (view,) = [v for v in coordinator.get("/api/views").json()["views"]
               if v["question_id"] == "q_better"]
    coordinator.post(f"/api/views/{view['view_id']}/themes", json={"theme_id": theme["theme_id"]})
    update = coordinator.post("/api/updates", json={
        "theme_id": theme["theme_id"], "title": "Buses",
        "texts": [{"language": "en", "language_register": "standard", "text": ENGLISH}],
    }).json()
    coordinator.post(f"/api/updates/{update['update_id']}/send")
    send_now(ws.store, ws.heard.runtime.catalogue, update["update_id"])
    assert converse(ws, "STOP")  # the one confirmation
    ws.heard.send_outbox()
    assert ws.heard.twilio is not None
    assert not [c for c in ws.heard.twilio.created if c["body"] == ENGLISH]
    (counts,) = coordinator.get(f"/api/updates/{update['update_id']}").json()["delivery"]
    assert (counts["opted_out"], counts["queued"], counts["sent"]) == (1, 0, 0)
