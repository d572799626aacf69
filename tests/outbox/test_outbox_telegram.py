"""The outbox worker sending through python-telegram-bot to the fake Bot API: flood control,
server errors, a blocked bot, a refused message. No message is sent twice. On SQLite and
PostgreSQL."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.records import OutboxMessage
from storage.sql import SqlStore
from tests.fakes import telegram_api as tg
from tests.fakes.telegram_api import Reply
from tests.web.harness import Brains, Pipeline, pipeline

CHAT = 7700900601


@pytest.fixture
def heard(brains: Brains, sql_store: SqlStore, tmp_path: Path) -> Iterator[Pipeline]:
    with pipeline(brains, sql_store, tmp_path, twilio=False) as running:
        yield running


def queue_welcome(heard: Pipeline) -> list[OutboxMessage]:
    """A greeting Heard recognises as English: the opening sends two replies at once."""
    greeting = "Hello, I would like to have my say"
    heard.post_telegram(tg.text_update(1, CHAT, greeting, int(time.time())))
    heard.process_inbox()
    queued = heard.outbox()
    assert len(queued) >= 2
    return queued


def delivered(heard: Pipeline) -> Counter[str]:
    assert heard.telegram is not None
    return Counter(m.text for m in heard.telegram.sent if m.chat_id == str(CHAT))


@pytest.mark.parametrize(
    ("script", "first_attempts", "min_seconds"),
    [
        pytest.param([tg.flood_control(1)], 2, 1.0, id="429-retry-after"),
        pytest.param([tg.server_error()], 2, 0.0, id="500-then-success"),
    ],
)
def test_passing_failures_are_retried_and_sent_once(
    heard: Pipeline, script: list[Reply], first_attempts: int, min_seconds: float
) -> None:
    queued = queue_welcome(heard)
    assert heard.telegram is not None
    heard.telegram.program("sendMessage", *script)
    started = time.monotonic()
    heard.send_outbox()
    assert time.monotonic() - started >= min_seconds
    stored = heard.outbox()
    assert all(m.status == "sent" for m in stored)
    assert stored[0].attempts == first_attempts
    assert delivered(heard) == Counter(m.text for m in queued)


def test_a_blocked_bot_opts_the_person_out(heard: Pipeline) -> None:
    queued = queue_welcome(heard)
    assert heard.telegram is not None
    heard.telegram.program("sendMessage", *[tg.blocked_by_user() for _ in queued])
    heard.send_outbox()
    heard.process_inbox()  # Telegram's word reaches the conversation through the inbox
    assert all(m.status == "failed" for m in heard.outbox())
    assert delivered(heard) == Counter()
    with heard.store.unit_of_work() as uow:
        person = uow.people.find("telegram", str(CHAT))
        assert person is not None and person.opted_out
        assert uow.consent.latest(person.participant_id)["messages"] is False


def test_a_refused_message_fails_once(heard: Pipeline) -> None:
    queue_welcome(heard)
    assert heard.telegram is not None
    heard.telegram.program("sendMessage", tg.bad_request())
    heard.send_outbox()
    first, *rest = heard.outbox()
    assert first.status == "failed" and first.attempts == 1
    assert all(m.status == "sent" for m in rest)
