"""`POST /webhooks/telegram` through the whole pipeline, replies sent by python-telegram-bot to the
fake Bot API. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from bot.app import create_app
from bot.catalogue.model import MessageEntry
from bot.channels.base import NotReady
from bot.channels.telegram.updates import TelegramUpdates
from bot.config import load_settings
from storage.sql import SqlStore
from tests.fakes import telegram_api as tg
from tests.fakes.live_server import live_server
from tests.web.harness import (
    BOT_ID,
    BOT_TOKEN,
    WEBHOOK_SECRET,
    Brains,
    Pipeline,
    database_url_of,
    heard_env,
    pipeline,
    serve,
    stored_inbox,
    wait_until,
)

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


def without_app_language(update: dict[str, Any]) -> dict[str, Any]:
    del update["message"]["from"]["language_code"]
    return update


def test_choices_arrive_as_a_one_time_keyboard(heard: Pipeline, brains: Brains) -> None:
    chats = Chats(heard)
    # Without the app's language as a hint, a new person is shown every language.
    start = tg.text_update(4999, CHAT, "/start", int(time.time()))
    heard.post_telegram(without_app_language(start))
    heard.run_all()
    menu = sent_to(heard, CHAT)[-1]
    assert menu.reply_markup is not None and menu.reply_markup.get("one_time_keyboard") is True
    buttons = [label for row in labels(menu.reply_markup) for label in row]
    assert {"English", "Cymraeg", "Polski", "اردو"} <= set(buttons)
    assert all(len(row) <= 2 for row in labels(menu.reply_markup))
    before = len(sent_to(heard, CHAT))
    chats.say(CHAT, "1")
    heard.run_all()
    about, ask = sent_to(heard, CHAT)[before:]
    assert about.reply_markup == {"remove_keyboard": True}  # no choices: keyboard removed
    question = telegram_entry(brains, "en", "consent.ask_share_views")
    assert question is not None and ask.text == question.standard
    [[yes, _no]] = labels(ask.reply_markup)  # short labels: two to a row
    # Pressing a button sends its label as text: it is taken as the answer.
    before = len(sent_to(heard, CHAT))
    chats.say(CHAT, yes)
    heard.run_all()
    after = sent_to(heard, CHAT)[before:]
    assert after and all(m.text != question.standard for m in after)


# Through the opening: English, yes to keeping views, then yes to being contacted about a
# working group (the deep-linked flow's own consent; the other chat answers the first question).
OPENING = ("1", "1", "1")


def test_a_deep_link_starts_the_flow_it_names(heard: Pipeline, brains: Brains) -> None:
    chats = Chats(heard)
    chats.say(CHAT, "/start working_group")
    chats.say(OTHER_CHAT, "/start")
    for answer in OPENING:
        heard.run_all()
        chats.say(CHAT, answer)
        chats.say(OTHER_CHAT, answer)
    heard.run_all()
    entry = brains.runtime.catalogue.entry("en", "wg.intro")
    assert entry is not None
    intro = {entry.standard, entry.easy}
    assert any(m.text in intro for m in sent_to(heard, CHAT))
    assert not any(m.text in intro for m in sent_to(heard, OTHER_CHAT))


def test_an_update_is_handled_by_the_telegram_application_before_the_answer(
    brains: Brains, sql_store: SqlStore, tmp_path: Path
) -> None:
    api = tg.FakeTelegramApi(BOT_TOKEN, bot_id=BOT_ID)
    with live_server(api.app) as api_url:
        env = heard_env(tmp_path, database_url_of(sql_store), telegram_url=api_url)
        settings = load_settings(env)
        app = create_app(settings, workers=False, runtime=brains.runtime_for(settings))
        with serve(app) as url, httpx.Client(timeout=30) as http:
            application = app.state.telegram.application
            assert application is not None and application.running
            assert application.bot.username == api.bot_user["username"]  # getMe at start-up
            seen: list[tuple[int, bool]] = []

            async def watch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
                # A later group than Heard's handler, so it runs after Heard's read the update.
                seen.append((update.update_id, update.get_bot() is application.bot))

            application.add_handler(TypeHandler(Update, watch), group=1)
            update = tg.text_update(9201, CHAT, "Hello", int(time.time()))
            headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
            response = http.post(f"{url}/webhooks/telegram", json=update, headers=headers)
            # Seen by the Application, with its bot, and committed before the answer.
            assert response.status_code == 200
            assert seen == [(9201, True)]
            assert len(stored_inbox(sql_store)) == 1
    [item] = stored_inbox(sql_store)
    assert item.provider_key == f"{BOT_ID}:9201"


def test_polling_records_updates_like_the_webhook(
    brains: Brains, sql_store: SqlStore, tmp_path: Path
) -> None:
    """`heard run --telegram-polling`: PTB's Updater fetches from getUpdates, and the update
    lands in the inbox under the same provider key a webhook delivery would have."""
    api = tg.FakeTelegramApi(BOT_TOKEN, bot_id=BOT_ID)
    api.queue_update(tg.text_update(9401, CHAT, "Hello", int(time.time())))
    with live_server(api.app) as api_url:
        env = heard_env(tmp_path, database_url_of(sql_store), telegram_url=api_url)
        settings = load_settings(env)
        app = create_app(
            settings, workers=False, telegram_polling=True, runtime=brains.runtime_for(settings)
        )
        with serve(app):
            wait_until(lambda: len(stored_inbox(sql_store)) == 1, 20, "the polled update")
    assert [item.provider_key for item in stored_inbox(sql_store)] == [f"{BOT_ID}:9401"]
    assert "getUpdates" in [method for method, _ in api.calls]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_an_unreachable_bot_api_at_start_is_logged_and_updates_wait_for_it(
    brains: Brains, sql_store: SqlStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing is read around the Application: until the Bot API has answered, a signed update
    gets 503 (Telegram delivers it again later) and nothing is stored."""
    nowhere = f"http://127.0.0.1:{_closed_port()}"
    env = heard_env(tmp_path, database_url_of(sql_store), telegram_url=nowhere)
    settings = load_settings(env)
    app = create_app(settings, workers=False, runtime=brains.runtime_for(settings))
    with (
        caplog.at_level(logging.WARNING, logger="heard.telegram"),
        serve(app) as url,
        httpx.Client(timeout=30) as http,
    ):
        update = tg.text_update(9301, CHAT, "Hello", int(time.time()))
        headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        response = http.post(f"{url}/webhooks/telegram", json=update, headers=headers)
        assert response.status_code == 503
        assert response.headers["Retry-After"].isdigit()
    [line] = [r.getMessage() for r in caplog.records if r.name == "heard.telegram"]
    assert "unreachable" in line and "503" in line and BOT_TOKEN not in line
    assert stored_inbox(sql_store) == []


def test_an_update_delivered_again_is_recorded_once_the_bot_api_answers(tmp_path: Path) -> None:
    """Start-up failed (getMe refused twice by a Bot API in trouble): the first delivery is
    not ready; Telegram's next delivery starts the Application and is read through it."""
    class Nowhere:
        async def record(self, inbound: object) -> bool:
            raise AssertionError("webhook updates are recorded by the route")

    api = tg.FakeTelegramApi(BOT_TOKEN, bot_id=BOT_ID)
    api.program("getMe", tg.server_error(), tg.server_error())
    update = tg.text_update(9302, CHAT, "Hello", int(time.time()))

    async def run() -> tuple[bool, str | None]:
        settings = load_settings(heard_env(tmp_path, "sqlite://", telegram_url=url))
        assert settings.telegram is not None
        updates = TelegramUpdates(settings.telegram, Nowhere(), retry_seconds=0)
        await updates.start()
        try:
            first_ready = True
            try:
                await updates.parse(update)
            except NotReady:
                first_ready = False
            inbound = await updates.parse(update)
        finally:
            await updates.stop()
        return first_ready, None if inbound is None else inbound.provider_key

    with live_server(api.app) as url:
        first_ready, key = asyncio.run(run())
    assert first_ready is False
    assert key == f"{BOT_ID}:9302"
    assert [method for method, _ in api.calls].count("getMe") == 3


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"{not json", id="not-json"),
        pytest.param(b"[1, 2]", id="not-an-object"),
        pytest.param(b'{"message": {"text": "Hello"}}', id="no-update-id"),
        pytest.param(b"\xff\xfe", id="not-utf8"),
    ],
)
def test_a_body_that_is_not_an_update_is_refused_politely(heard: Pipeline, body: bytes) -> None:
    response = heard.http.post(
        f"{heard.url}/webhooks/telegram",
        content=body,
        headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
    )
    assert response.status_code == 400
    assert heard.inbox() == []


def telegram_entry(brains: Brains, language: str, text_id: str) -> MessageEntry | None:
    """The text as Telegram shows it: its `@telegram` variant where it has one."""
    catalogue = brains.runtime.catalogue
    return catalogue.entry(language, f"{text_id}@telegram") or catalogue.entry(language, text_id)


def catalogue_text(brains: Brains, language: str, text_id: str) -> set[str]:
    entry = telegram_entry(brains, language, text_id)
    assert entry is not None
    return {entry.standard, entry.easy}


def test_menu_commands_do_what_their_keywords_do(heard: Pipeline, brains: Brains) -> None:
    chats = Chats(heard)
    chats.say(CHAT, "/start")
    heard.run_all()
    chats.say(CHAT, "/language")
    heard.run_all()
    assert labels(sent_to(heard, CHAT)[-1].reply_markup)[0] == ["English", "Cymraeg"]
    chats.say(CHAT, "/stop")
    heard.run_all()
    assert sent_to(heard, CHAT)[-1].text in catalogue_text(brains, "en", "common.stopped")
    with heard.store.unit_of_work() as uow:
        [person] = list(uow.people.all())
    assert person.opted_out


def test_a_photo_gets_a_polite_request_for_words_and_the_question_stays(
    heard: Pipeline, brains: Brains
) -> None:
    chats = Chats(heard)
    chats.say(CHAT, "/start")
    heard.run_all()
    # The fake's people have their app in English: the opening's consent question, in English.
    asked = sent_to(heard, CHAT)[-1].text
    assert asked in catalogue_text(brains, "en", "consent.ask_share_views")
    heard.post_telegram(tg.photo_update(9301, CHAT, int(time.time())))
    heard.run_all()
    [reply] = sent_to(heard, CHAT)[-1:]
    assert reply.text in catalogue_text(brains, "en", "common.type_please")
    # No turn ran: "1" (yes) still answers the question asked before the photo.
    chats.say(CHAT, "1")
    heard.run_all()
    assert sent_to(heard, CHAT)[-1].text in catalogue_text(brains, "en", "hys.q_better")


def test_a_first_photo_is_answered_in_the_language_of_the_persons_app(
    heard: Pipeline, brains: Brains
) -> None:
    update = tg.photo_update(9401, CHAT, int(time.time()))
    update["message"]["from"]["language_code"] = "pl"
    heard.post_telegram(update)
    heard.run_all()
    [reply] = sent_to(heard, CHAT)
    assert reply.text in catalogue_text(brains, "pl", "common.type_please")
