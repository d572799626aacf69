"""The safety queue as coordinators use it: alerts raised by conversations through the signed
Twilio webhook, listed oldest first with the person's words, acknowledged with an outcome,
contact revealed only with a reason (and audited), announced at once to the team without words
or number, and kept anonymised after the person's DELETE."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from bot.workspace.notify import AlertNotifier
from storage.records import Role
from storage.sql import SqlStore
from tests.fakes.smtp_server import smtp_server
from tests.web.harness import Brains, wait_until
from tests.workspace.harness import WorkspaceUnderTest, running_workspace

NUMBER = "+447700900777"
WORDS = "my carer hits me when nobody is around"


def raise_alert(workspace: WorkspaceUnderTest, number: str = NUMBER, words: str = WORDS) -> str:
    """A person texts Heard and discloses harm; returns the alert's queue id."""
    for text in ("hello", words):
        response, _ = workspace.heard.post_sms(number, text)
        assert response.status_code == 200
        workspace.heard.process_inbox()
    with workspace.store.unit_of_work() as uow:
        alerts = [i for i in uow.safety.queue(waiting=True) if i.type == "alert"]
    assert alerts, "the disclosure raised an alert"
    return alerts[-1].item_id


def test_an_alert_from_a_conversation_waits_in_the_queue_with_the_persons_words(
    workspace: WorkspaceUnderTest,
) -> None:
    item = raise_alert(workspace)
    listed = workspace.bearer("coordinator").get("/api/alerts").json()
    (alert,) = [a for a in listed if a["id"] == item]
    assert alert["type"] == "alert" and alert["reason"] == "harm_from_others"
    assert alert["words"] == WORDS and alert["language"] == "en" and alert["channel"] == "sms"
    assert alert["level"] in ("clear", "check") and alert["waiting_seconds"] >= 0
    assert NUMBER not in json.dumps(listed)  # the number only by a reveal
    page = workspace.web("coordinator").get("/safety").text
    assert WORDS in page and "Safeguarding alert: harm from others" in page
    # The help reply's handover belongs to the alert: one entry, not two.
    assert sum(1 for a in listed if a["type"] == "request" and a["reason"] == "safeguarding") == 0


def test_the_queue_is_oldest_first(workspace: WorkspaceUnderTest) -> None:
    first = raise_alert(workspace, "+447700900701", "he hits me")
    second = raise_alert(workspace, "+447700900702", "my carer hits me")
    ids = [a["id"] for a in workspace.bearer("admin").get("/api/alerts").json()]
    assert ids.index(first) < ids.index(second)


def test_acknowledging_takes_an_alert_out_of_the_waiting_queue_with_its_outcome(
    workspace: WorkspaceUnderTest,
) -> None:
    item = raise_alert(workspace)
    api = workspace.bearer("coordinator")
    empty = api.post(f"/api/alerts/{item}/acknowledge", json={"outcome": ""})
    assert empty.status_code == 422
    done = api.post(f"/api/alerts/{item}/acknowledge", json={"outcome": "Called; referred on"})
    assert done.status_code == 200
    assert done.json()["acknowledged_by"] == workspace.email("coordinator")
    assert item not in [a["id"] for a in api.get("/api/alerts").json()]
    (kept,) = [a for a in api.get("/api/alerts?state=acknowledged").json() if a["id"] == item]
    assert kept["outcome"] == "Called; referred on" and kept["waiting_seconds"] is None
    again = api.post(f"/api/alerts/{item}/acknowledge", json={"outcome": "twice"})
    assert again.status_code == 409
    assert api.post("/api/alerts/alert-999/acknowledge", json={"outcome": "x"}).status_code == 404


def test_acknowledging_on_the_page(workspace: WorkspaceUnderTest) -> None:
    item = raise_alert(workspace)
    coordinator = workspace.web("coordinator")
    refused = coordinator.post(f"/safety/{item}/acknowledge", {"outcome": "  "})
    assert refused.status_code == 400 and "Write what was done" in refused.text
    done = coordinator.post(f"/safety/{item}/acknowledge", {"outcome": "Rang the person back"})
    assert done.status_code == 303
    page = coordinator.get(done.headers["location"]).text
    assert "Nothing is waiting" in page and "Rang the person back" in page


def test_a_reveal_needs_a_reason_and_is_audited(workspace: WorkspaceUnderTest) -> None:
    item = raise_alert(workspace)
    api = workspace.bearer("coordinator")
    assert api.post(f"/api/alerts/{item}/reveal", json={"reason": "need"}).status_code == 422
    reason = "Calling back about the disclosure"
    shown = api.post(f"/api/alerts/{item}/reveal", json={"reason": reason})
    assert shown.status_code == 200
    assert shown.json() == {"id": item, "channel": "sms", "address": NUMBER}
    page = workspace.web("coordinator").post(f"/safety/{item}/reveal", {"reason": reason})
    assert page.status_code == 200 and NUMBER in page.text
    assert page.headers["cache-control"] == "no-store"
    audit = workspace.web("admin").get("/audit").text
    assert audit.count("reveal contact") == 2 and reason in audit and item in audit
    assert NUMBER not in audit


@pytest.mark.parametrize("role", ["member"])
def test_members_see_no_alert_and_no_contact(workspace: WorkspaceUnderTest, role: Role) -> None:
    item = raise_alert(workspace)
    api = workspace.bearer(role)
    assert api.get("/api/alerts").status_code == 403
    assert api.post(f"/api/alerts/{item}/acknowledge", json={"outcome": "x"}).status_code == 403
    assert api.post(
        f"/api/alerts/{item}/reveal", json={"reason": "I would like to know"}
    ).status_code == 403
    web = workspace.web(role)
    page = web.get("/safety")
    assert page.status_code == 403 and WORDS not in page.text
    assert web.post(f"/safety/{item}/reveal", {"reason": "I would like to know"}).status_code == 403
    assert "Safety queue" not in web.get("/").text  # not in the nav either


def test_coordinators_cannot_read_the_audit_log_or_manage_users(
    workspace: WorkspaceUnderTest,
) -> None:
    coordinator = workspace.web("coordinator")
    assert coordinator.get("/audit").status_code == 403
    assert coordinator.get("/users").status_code == 403


def test_after_delete_the_alert_stays_anonymised(workspace: WorkspaceUnderTest) -> None:
    item = raise_alert(workspace)
    for text in ("DELETE", "yes"):
        workspace.heard.post_sms(NUMBER, text)
        workspace.heard.process_inbox()
    api = workspace.bearer("coordinator")
    (alert,) = [a for a in api.get("/api/alerts").json() if a["id"] == item]
    assert alert["anonymised"] and alert["words"] is None
    assert alert["reason"] == "harm_from_others" and alert["language"] == "en"
    gone = api.post(f"/api/alerts/{item}/reveal", json={"reason": "Calling them back now"})
    assert gone.status_code == 410
    assert api.post(
        f"/api/alerts/{item}/acknowledge", json={"outcome": "Person deleted their data"}
    ).status_code == 200


class _ChatHook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, object]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def chat_hook() -> Iterator[tuple[str, list[dict[str, object]]]]:
    """A team chat's incoming webhook, on loopback."""
    received: ClassVar[list[dict[str, object]]] = []
    handler = type("Hook", (_ChatHook,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hooks/safety", received
    finally:
        server.shutdown()
        server.server_close()


def test_a_new_alert_is_announced_once_without_the_words_or_number(
    brains: Brains,
    sqlite_store: SqlStore,
    tmp_path: Path,
    chat_hook: tuple[str, list[dict[str, object]]],
) -> None:
    url, received = chat_hook
    with running_workspace(
        brains, sqlite_store, tmp_path, env={"HEARD_ALERT_WEBHOOK_URL": url}
    ) as workspace:
        raise_alert(workspace)
        settings = workspace.heard.runtime.settings
        notifier = AlertNotifier(workspace.store, settings.alert_notify, settings.public_url)
        assert notifier.run_once() == 1
        assert notifier.run_once() == 0  # once only
    (notice,) = received
    text = str(notice["text"])
    assert "safeguarding alert" in text and "harm from others" in text
    assert text.endswith("https://heard.example.org/safety")
    assert WORDS not in text and "hits" not in text
    assert NUMBER not in text and NUMBER[1:] not in text


def test_a_new_alert_is_emailed_without_the_words_or_number(
    brains: Brains, sqlite_store: SqlStore, tmp_path: Path
) -> None:
    with smtp_server() as (port, mailbox):
        env = {
            "HEARD_ALERT_EMAIL": "safeguarding@council.example.org",
            "HEARD_SMTP_HOST": "127.0.0.1",
            "HEARD_SMTP_PORT": str(port),
            "HEARD_SMTP_TLS": "none",
            "HEARD_SMTP_FROM": "heard@council.example.org",
        }
        with running_workspace(brains, sqlite_store, tmp_path, env=env) as workspace:
            raise_alert(workspace)
            settings = workspace.heard.runtime.settings
            notifier = AlertNotifier(workspace.store, settings.alert_notify, settings.public_url)
            assert notifier.run_once() == 1
    ((sender, recipients, data),) = mailbox.messages
    assert sender == "heard@council.example.org"
    assert recipients == ["safeguarding@council.example.org"]
    assert "Subject: Heard: a new safeguarding alert is waiting" in data
    assert "https://heard.example.org/safety" in data
    assert WORDS not in data and "hits" not in data and NUMBER[1:] not in data


def test_the_workers_announce_a_new_alert_by_themselves(
    brains: Brains,
    sqlite_store: SqlStore,
    tmp_path: Path,
    chat_hook: tuple[str, list[dict[str, object]]],
) -> None:
    url, received = chat_hook
    with running_workspace(
        brains, sqlite_store, tmp_path, env={"HEARD_ALERT_WEBHOOK_URL": url}, workers=True
    ) as workspace:
        for text in ("hello", WORDS):
            workspace.heard.post_sms(NUMBER, text)
        wait_until(lambda: len(received) == 1, what="the alert notice")
    assert "safeguarding alert" in str(received[0]["text"])


def test_a_request_to_talk_to_a_person_is_announced_too(
    brains: Brains,
    sqlite_store: SqlStore,
    tmp_path: Path,
    chat_hook: tuple[str, list[dict[str, object]]],
) -> None:
    url, received = chat_hook
    with running_workspace(
        brains, sqlite_store, tmp_path, env={"HEARD_ALERT_WEBHOOK_URL": url}
    ) as workspace:
        for text in ("hello", "PERSON"):
            workspace.heard.post_sms(NUMBER, text)
            workspace.heard.process_inbox()
        (request,) = workspace.bearer("coordinator").get("/api/alerts").json()
        assert (request["type"], request["reason"]) == ("request", "asked")
        settings = workspace.heard.runtime.settings
        notifier = AlertNotifier(workspace.store, settings.alert_notify, settings.public_url)
        assert notifier.run_once() == 1
        assert notifier.run_once() == 0
    (notice,) = received
    assert str(notice["text"]).startswith("Heard: someone asked to talk to a person")
    assert NUMBER[1:] not in str(notice["text"])
