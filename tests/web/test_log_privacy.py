"""Logs hold no phone number, chat id, bot token or message text, from Heard or any library, even
at DEBUG: a whole conversation on SMS and Telegram runs through the real twilio and
python-telegram-bot clients against the fake APIs (an SMS send fails once, so the retry
reconciles through Twilio's message list), and the captured log is searched for every secret."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import LIBRARY_CAPS, configure_logging, redact
from storage.sql import SqlStore
from tests.fakes import telegram_api as tg
from tests.fakes import twilio_api as tw
from tests.web.harness import AUTH_TOKEN, BOT_TOKEN, Brains, pipeline

PHONE = "+447700900004"
PHONE_FORMS = (PHONE, PHONE[1:], "07700900004", "7700900004", "%2B447700900004", "0 7700 900004")
CHAT = 7700900777
SMS_WORDS = ("Hello from the harbour", "1", "1", "Buses to Splott are far too rare")
TELEGRAM_WORDS = ("/start", "Quiet words about the library", "2")


def secrets_in(log: str) -> list[str]:
    wanted = [
        *PHONE_FORMS,
        str(CHAT),
        BOT_TOKEN,
        BOT_TOKEN.split(":", 1)[1],
        AUTH_TOKEN,
        *(words for words in SMS_WORDS + TELEGRAM_WORDS if len(words) > 6),
    ]
    return [secret for secret in wanted if secret in log]


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in LIBRARY_CAPS}
    try:
        yield
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)


def converse(brains: Brains, store: SqlStore, tmp_path: Path) -> None:
    with pipeline(brains, store, tmp_path) as heard:
        assert heard.twilio is not None
        heard.twilio.program(tw.server_error())  # the first send fails: the retry reconciles
        for words in SMS_WORDS:
            heard.post_sms(PHONE, words)
            heard.run_all()
        for number, words in enumerate(TELEGRAM_WORDS):
            heard.post_telegram(tg.text_update(8100 + number, CHAT, words, int(time.time())))
            heard.run_all()
        heard.post_telegram(tg.photo_update(8199, CHAT, int(time.time())))
        heard.run_all()
        assert len(heard.twilio.created) >= len(SMS_WORDS)
        assert heard.telegram is not None and len(heard.telegram.sent) >= len(TELEGRAM_WORDS)
        assert heard.twilio.list_requests, "the retry did not reconcile through the list"


def test_a_conversation_at_debug_leaves_no_personal_data_in_the_log(
    brains: Brains, sql_store: SqlStore, tmp_path: Path, restore_logging: None
) -> None:
    captured = io.StringIO()
    configure_logging("DEBUG", captured)
    converse(brains, sql_store, tmp_path)
    log = captured.getvalue()
    assert "DEBUG" in log or "INFO" in log  # the log was written to
    assert secrets_in(log) == []


def test_without_heards_set_up_the_libraries_would_leak(
    brains: Brains, sql_store: SqlStore, tmp_path: Path, restore_logging: None
) -> None:
    """What the caps and the filter are for (and proof that the scan above can fail)."""
    captured = io.StringIO()
    root = logging.getLogger()
    plain = logging.StreamHandler(captured)
    plain.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    root.addHandler(plain)
    root.setLevel(logging.DEBUG)
    for name in LIBRARY_CAPS:
        logging.getLogger(name).setLevel(logging.NOTSET)
    converse(brains, sql_store, tmp_path)
    leaked = secrets_in(captured.getvalue())
    assert BOT_TOKEN in leaked  # httpx: every Bot API URL
    assert any(form in leaked for form in PHONE_FORMS)  # twilio: `To` of the reconcile query
    assert str(CHAT) in leaked  # python-telegram-bot: the chat of every request


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("To: +447700900123", "To: [number]"),
        ("{'To': '+447720000004'}", "{'To': '[number]'}"),
        ("Query To=%2B447720000004&PageSize=50", "Query To=[number]&PageSize=50"),
        ("national 07700 900123 with spaces", "national [number] with spaces"),
        ("chat_id=7700900123", "chat_id=[number]"),
        (
            "POST https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0/"
            "sendMessage",
            "POST https://api.telegram.org/bot[token]/sendMessage",
        ),
        ("inbox item 42 failed: KeyError", "inbox item 42 failed: KeyError"),
        ("sid SM0123456789abcdef0123456789abcdef", "sid SM0123456789abcdef0123456789abcdef"),
        ("served on 127.0.0.1:8000 in 0.25 s", "served on 127.0.0.1:8000 in 0.25 s"),
    ],
)
def test_the_filter_redacts_numbers_and_tokens_only(line: str, expected: str) -> None:
    assert redact(line) == expected


def test_the_filter_redacts_tracebacks_too(restore_logging: None) -> None:
    captured = io.StringIO()
    configure_logging("INFO", captured)
    try:
        raise ValueError("no participant for +447700900123")
    except ValueError:
        logging.getLogger("heard.test").exception("turn failed for %s", "7700900123")
    log = captured.getvalue()
    assert "7700900123" not in log and "Traceback" in log and "[number]" in log
