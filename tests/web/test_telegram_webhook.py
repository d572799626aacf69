"""`POST /webhooks/telegram` through the whole pipeline, replies sent by python-telegram-bot to the
fake Bot API. On SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storage.sql import SqlStore
from tests.fakes import telegram_api as tg
from tests.web.harness import BOT_ID, WEBHOOK_SECRET, Brains, Pipeline, pipeline

CHAT = 7700900301
OTHER_CHAT = 7700900302


@pytest.fixture
def heard(brains: Brains, sql_store: SqlStore, tmp_path: Path) -> Iterator[Pipeline]:
    with pipeline(brains, sql_store, tmp_path, twilio=False) as running:
        yield running


class Chats:
    """Sends updates with increasing update ids, as Telegram does."""

    def __init__(self, heard: Pipeline) -> None:
        self.heard = heard
        self.next_id = 5000

    def say(self, chat: int, text: str, secret: str | None = WEBHOOK_SECRET) -> Any:
        self.next_id += 1
        update = tg.text_update(self.next_id, chat, text, int(time.time()))
        return self.heard.post_telegram(update, secret)


def sent_to(heard: Pipeline, chat: int) -> list[tg.SentMessage]:
    assert heard.telegram is not None
    return [m for m in heard.telegram.sent if m.chat_id == str(chat)]


def labels(markup: dict[str, Any] | None) -> list[list[str]]:
    rows = (markup or {}).get("keyboard") or []
    return [[b["text"] if isinstance(b, dict) else b for b in row] for row in rows]


@pytest.mark.parametrize(
    ("secret", "status", "stored"),
    [
        pytest.param(WEBHOOK_SECRET, 200, 1, id="signed"),
        pytest.param("heard-wrong-secret", 403, 0, id="wrong-secret"),
        pytest.param(None, 403, 0, id="unsigned"),
    ],
)
def test_only_updates_with_the_secret_are_stored(
    heard: Pipeline, secret: str | None, status: int, stored: int
) -> None:
    response = Chats(heard).say(CHAT, "Hello", secret)
    assert response.status_code == status
    heard.run_all()
    assert len(heard.inbox()) == stored
    assert bool(sent_to(heard, CHAT)) is bool(stored)


def test_a_repeated_update_is_answered_once(heard: Pipeline) -> None:
    update = tg.text_update(9001, CHAT, "Hello", int(time.time()))
    assert heard.post_telegram(update).status_code == 200
    assert heard.post_telegram(update).status_code == 200
    heard.run_all()
    heard.post_telegram(tg.text_update(9002, OTHER_CHAT, "Hello", int(time.time())))
    heard.run_all()
    [first, _] = heard.inbox()
    assert first.provider_key == f"{BOT_ID}:9001"
    assert [m.text for m in sent_to(heard, CHAT)] == [m.text for m in sent_to(heard, OTHER_CHAT)]


def test_updates_that_need_no_turn_are_acknowledged_and_dropped(heard: Pipeline) -> None:
    date = int(time.time())
    for update in (
        tg.group_text_update(9101, -1007700900, "Hello all", date),
        tg.edited_text_update(9102, CHAT, "Hello (edited)", date),
        tg.blocked_update(9103, CHAT, heard.telegram.bot_user if heard.telegram else {}, date),
    ):
        assert heard.post_telegram(update).status_code == 200
    heard.run_all()
    assert heard.inbox() == []


def test_choices_arrive_as_a_one_time_keyboard(heard: Pipeline, brains: Brains) -> None:
    chats = Chats(heard)
    chats.say(CHAT, "/start")
    heard.run_all()
    menu = sent_to(heard, CHAT)[-1]
    assert menu.reply_markup is not None and menu.reply_markup.get("one_time_keyboard") is True
    buttons = [label for row in labels(menu.reply_markup) for label in row]
    assert {"English", "Cymraeg", "Polski", "اردو"} <= set(buttons)
    assert all(len(row) <= 2 for row in labels(menu.reply_markup))
    chats.say(CHAT, "1")
    heard.run_all()
    register = sent_to(heard, CHAT)[-1]
    question = brains.runtime.catalogue.entry("en", "welcome.register")
    assert question is not None and register.text == question.standard
    [[standard], [_easy]] = labels(register.reply_markup)  # long labels: one to a row
    # Pressing a button sends its label as text: it is taken as the answer.
    before = len(sent_to(heard, CHAT))
    chats.say(CHAT, standard)
    heard.run_all()
    after = sent_to(heard, CHAT)[before:]
    assert after and all(m.text != question.standard for m in after)
    assert after[0].reply_markup == {"remove_keyboard": True}  # no choices: keyboard removed


# Through welcome and consent: English, easy read, yes to sharing views, no, no.
WELCOME_AND_CONSENT = ("1", "2", "1", "2", "2")


def test_a_deep_link_starts_the_flow_it_names(heard: Pipeline, brains: Brains) -> None:
    chats = Chats(heard)
    chats.say(CHAT, "/start have_your_say")
    chats.say(OTHER_CHAT, "/start")
    for answer in WELCOME_AND_CONSENT:
        heard.run_all()
        chats.say(CHAT, answer)
        chats.say(OTHER_CHAT, answer)
    heard.run_all()
    entry = brains.runtime.catalogue.entry("en", "hys.intro")
    assert entry is not None
    intro = {entry.standard, entry.easy}
    assert any(m.text in intro for m in sent_to(heard, CHAT))
    assert not any(m.text in intro for m in sent_to(heard, OTHER_CHAT))
