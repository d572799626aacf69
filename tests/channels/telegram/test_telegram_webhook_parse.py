from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.datastructures import Headers
from telegram import Bot

from bot.channels.base import InboundMessage
from bot.channels.telegram.webhook import TelegramWebhookVerifier, parse_telegram_update
from tests.fakes import telegram_api as tg

SECRET = "heard-test-secret_not-real"
BOT_ID = 7700900000
CHAT = 7700900123
DATE = 1772443800  # seconds, as Telegram sends
AT = datetime.fromtimestamp(DATE, UTC)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param({"X-Telegram-Bot-Api-Secret-Token": SECRET}, True, id="valid"),
        pytest.param({"x-telegram-bot-api-secret-token": SECRET}, True, id="lower-case-name"),
        pytest.param({"X-Telegram-Bot-Api-Secret-Token": "guess"}, False, id="wrong"),
        pytest.param({"X-Telegram-Bot-Api-Secret-Token": SECRET[:-1]}, False, id="prefix"),
        pytest.param({"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"}, False, id="longer"),
        pytest.param({"X-Telegram-Bot-Api-Secret-Token": ""}, False, id="empty"),
        pytest.param({}, False, id="missing"),
    ],
)
def test_secret_token_header(headers: dict[str, str], expected: bool) -> None:
    verifier = TelegramWebhookVerifier(SECRET)
    assert verifier.verify(Headers(headers=headers)) is expected


@pytest.mark.parametrize("secret", ["", "has space", "ünïcode", "x" * 257])
def test_a_secret_telegram_would_refuse_is_refused_at_start_up(secret: str) -> None:
    with pytest.raises(ValueError):
        TelegramWebhookVerifier(secret)


def message(
    text: str, deep_link: str | None = None, update_id: int = 101, *, media: bool = False
) -> InboundMessage:
    return InboundMessage(
        channel="telegram",
        address=str(CHAT),
        text=text,
        provider_key=f"{BOT_ID}:{update_id}",
        at=AT,
        deep_link=deep_link,
        media=media,
        language_hint="en",  # the fake's users have their app in English
    )


def with_caption(update: dict[str, Any], caption: str) -> dict[str, Any]:
    update["message"]["caption"] = caption
    return update


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        pytest.param(tg.text_update(101, CHAT, "Yes", DATE), message("Yes"), id="plain-text"),
        pytest.param(
            tg.text_update(101, CHAT, "Dim diolch, mae'n iawn", DATE),
            message("Dim diolch, mae'n iawn"),
            id="welsh-text",
        ),
        pytest.param(
            tg.text_update(101, CHAT, "/start day-services-2026", DATE),
            message("/start", deep_link="day-services-2026"),
            id="start-with-deep-link",
        ),
        pytest.param(
            tg.text_update(101, CHAT, "/start", DATE), message("/start"), id="start-alone"
        ),
        pytest.param(
            tg.text_update(101, CHAT, "/start not a code!", DATE),
            message("/start"),
            id="start-with-invalid-code",
        ),
        pytest.param(
            tg.text_update(101, CHAT, "/startle", DATE), message("/startle"), id="not-start"
        ),
        pytest.param(
            tg.text_update(101, CHAT, "/menu", DATE), message("MENU"), id="menu-command"
        ),
        pytest.param(
            tg.text_update(101, CHAT, "/help@heard_test_bot", DATE),
            message("HELP"),
            id="help-command-addressed-to-the-bot",
        ),
        pytest.param(
            tg.text_update(101, CHAT, "/stop", DATE), message("STOP"), id="stop-command"
        ),
        pytest.param(
            tg.text_update(101, CHAT, "/language", DATE),
            message("LANGUAGE"),
            id="language-command",
        ),
        pytest.param(
            tg.text_update(101, CHAT, "/delete", DATE),
            message("/delete"),
            id="not-a-menu-command-is-text",
        ),
        pytest.param(
            tg.photo_update(101, CHAT, DATE), message("", media=True), id="photo-without-text"
        ),
        pytest.param(
            with_caption(tg.photo_update(101, CHAT, DATE), "Our day centre"),
            message("Our day centre"),
            id="photo-with-a-caption",
        ),
        pytest.param(tg.edited_text_update(101, CHAT, "No", DATE), None, id="edited-message"),
        pytest.param(tg.callback_query_update(101, CHAT, "yes", DATE), None, id="callback-query"),
        pytest.param(tg.group_text_update(101, -100770090, "hi", DATE), None, id="group-chat"),
        pytest.param(
            tg.blocked_update(101, CHAT, tg.FakeTelegramApi("1:x").bot_user, DATE),
            None,
            id="membership-change",
        ),
        pytest.param({"update_id": 101}, None, id="update-without-message"),
    ],
)
def test_updates_become_messages_or_nothing(
    update: dict[str, Any], expected: InboundMessage | None
) -> None:
    assert parse_telegram_update(update, None, BOT_ID) == expected


def test_parsing_with_a_bot_gives_the_same_message() -> None:
    bot = Bot("123456:TEST-token-not-real")
    update = tg.text_update(202, CHAT, "Tak", DATE)
    assert parse_telegram_update(update, bot, BOT_ID) == message("Tak", update_id=202)


def test_the_same_update_id_from_two_bots_gives_two_keys() -> None:
    update = tg.text_update(5, CHAT, "hi", DATE)
    first = parse_telegram_update(update, None, 1)
    second = parse_telegram_update(update, None, 2)
    assert first is not None and second is not None
    assert first.provider_key != second.provider_key


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("voice", {"file_id": "AwACAgQ", "file_unique_id": "AgAD", "duration": 3}),
        ("sticker", {"file_id": "CAACAgQ", "file_unique_id": "AgAE", "type": "regular",
                     "width": 512, "height": 512, "is_animated": False, "is_video": False}),
    ],
)
def test_a_message_without_words_is_marked_as_media(kind: str, body: dict[str, Any]) -> None:
    update = tg.text_update(303, CHAT, "x", DATE)
    del update["message"]["text"]
    update["message"][kind] = body
    parsed = parse_telegram_update(update, None, BOT_ID)
    assert parsed is not None and parsed.media and parsed.text == ""


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("pl", "pl"),
        ("pt-br", "pt-br"),
        ("ar", "ar"),
        (None, None),
        (12345, None),
        ("x" * 300, None),
    ],
)
def test_the_senders_app_language_is_carried_as_a_hint(code: object, hint: str | None) -> None:
    update = tg.text_update(404, CHAT, "Hello", DATE)
    if code is None:
        del update["message"]["from"]["language_code"]
    else:
        update["message"]["from"]["language_code"] = code
    parsed = parse_telegram_update(update, None, BOT_ID)
    assert parsed is not None and parsed.language_hint == hint
