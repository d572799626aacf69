"""The browser simulator and the routes of channels that are not configured, with the workers
running inside the app as in `heard run`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storage.sql import SqlStore
from tests.web.harness import Brains, Pipeline, pipeline, wait_until

PERSON = "+447700900401"


@pytest.fixture
def bare(brains: Brains, sql_store: SqlStore, tmp_path: Path) -> Iterator[Pipeline]:
    """No provider credentials at all; workers inside the app."""
    with pipeline(brains, sql_store, tmp_path, twilio=False, telegram=False, workers=True) as p:
        yield p


def conversation(heard: Pipeline, channel: str, sender: str) -> list[dict[str, Any]]:
    response = heard.http.get(
        f"{heard.url}/simulator/api/conversation", params={"channel": channel, "from": sender}
    )
    assert response.status_code == 200
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


def say(heard: Pipeline, channel: str, sender: str, text: str) -> list[dict[str, Any]]:
    """Sends and waits for the replies to settle; returns Heard's replies to this text."""
    before = len(conversation(heard, channel, sender))
    response = heard.http.post(
        f"{heard.url}/simulator/api/send", json={"channel": channel, "from": sender, "text": text}
    )
    assert response.status_code == 202
    wait_until(lambda: len(conversation(heard, channel, sender)) > before + 1, what="a reply")
    time.sleep(0.3)  # later messages of the same turn
    return [m for m in conversation(heard, channel, sender)[before:] if m["who"] == "heard"]


def test_the_page_is_served_in_development(bare: Pipeline) -> None:
    response = bare.http.get(f"{bare.url}/simulator")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<label for="text">' in page and '<label for="from">' in page
    assert "http://" not in page and "https://" not in page  # no external assets


def test_an_sms_conversation_shows_encoding_and_segments(bare: Pipeline) -> None:
    replies = say(bare, "sms", PERSON, "ok")  # no greeting: no language guess
    assert replies
    assert all(r["encoding"] in ("GSM-7", "UCS-2") and r["segments"] >= 1 for r in replies)
    # The language menu names each language in itself, so it cannot be GSM-7.
    assert replies[-1]["encoding"] == "UCS-2" and "1 English" in replies[-1]["text"]
    replies = say(bare, "sms", PERSON, "1")
    assert replies and replies[0]["encoding"] == "GSM-7"
    # Stored like any conversation, on the simulator's own channel.
    with bare.store.unit_of_work() as uow:
        assert uow.people.find("sim-sms", PERSON) is not None
        assert uow.people.find("sms", PERSON) is None


def test_a_telegram_conversation_shows_buttons(bare: Pipeline) -> None:
    replies = say(bare, "telegram", "7700900402", "/start")
    buttons = [label for row in replies[-1]["buttons"] for label in row]
    assert "English" in buttons and "Cymraeg" in buttons
    assert replies[-1]["encoding"] is None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"channel": "fax", "from": PERSON, "text": "Hi"}, id="unknown-channel"),
        pytest.param({"channel": "sms", "from": "", "text": "Hi"}, id="no-sender"),
        pytest.param({"channel": "sms", "from": PERSON, "text": "x" * 5001}, id="too-long"),
        pytest.param(["not", "an", "object"], id="not-an-object"),
    ],
)
def test_bad_requests_are_refused(bare: Pipeline, body: Any) -> None:
    response = bare.http.post(f"{bare.url}/simulator/api/send", json=body)
    assert response.status_code == 400
    assert bare.inbox() == []


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        pytest.param("POST", "/webhooks/twilio", 404, id="sms-off"),
        pytest.param("POST", "/webhooks/twilio/status", 404, id="sms-status-off"),
        pytest.param("POST", "/webhooks/telegram", 404, id="telegram-off"),
        pytest.param("GET", "/healthz", 200, id="still-healthy"),
    ],
)
def test_channels_without_credentials_are_off(
    bare: Pipeline, method: str, path: str, status: int
) -> None:
    response = bare.http.request(method, f"{bare.url}{path}", data={"From": PERSON})
    assert response.status_code == status
    assert bare.inbox() == []


def test_sms_without_a_public_url_cannot_verify_and_is_unavailable(
    brains: Brains, sql_store: SqlStore, tmp_path: Path
) -> None:
    with pipeline(
        brains, sql_store, tmp_path, telegram=False, env={"HEARD_PUBLIC_URL": ""}
    ) as heard:
        response, _ = heard.post_sms(PERSON, "Hello")
        assert response.status_code == 503
        assert heard.inbox() == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/simulator"),
        ("POST", "/simulator/api/send"),
        ("GET", "/simulator/api/conversation"),
    ],
)
def test_the_simulator_is_off_in_production(
    brains: Brains, sql_store: SqlStore, tmp_path: Path, method: str, path: str
) -> None:
    with pipeline(
        brains, sql_store, tmp_path, twilio=False, telegram=False,
        env={"HEARD_ENV": "production", "HEARD_CONTACT": "privacy@heard.example.org"},
    ) as heard:
        response = heard.http.request(
            method, f"{heard.url}{path}",
            json={"channel": "sms", "from": PERSON, "text": "Hi"} if method == "POST" else None,
        )
        assert response.status_code == 404
        assert heard.inbox() == []
