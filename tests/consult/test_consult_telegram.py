"""A consultation made in the workspace, started on Telegram by its deep link
(`https://t.me/<bot>?start=<keyword>`, which Telegram delivers as `/start <keyword>`): through
the webhook, python-telegram-bot and the inbox worker, replies sent to the fake Bot API. On
SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.clock import utcnow
from bot.workspace import consult
from bot.workspace.consult import ConsultationIn
from storage.sql import SqlStore
from tests.consult.drafts import buses
from tests.fakes import telegram_api as tg
from tests.web.harness import Brains, Pipeline, pipeline

CHAT = 7700900351


@pytest.fixture
def heard(brains: Brains, sql_store: SqlStore, tmp_path: Path) -> Iterator[Pipeline]:
    with pipeline(brains, sql_store, tmp_path, twilio=False) as running:
        yield running


def _say(heard: Pipeline, update_id: int, text: str) -> list[str]:
    assert heard.telegram is not None
    before = len(heard.telegram.sent)
    heard.post_telegram(tg.text_update(update_id, CHAT, text, int(time.time())))
    heard.run_all()
    return [m.text for m in heard.telegram.sent[before:] if m.chat_id == str(CHAT)]


def test_the_deep_link_starts_the_consultation_after_the_opening(
    heard: Pipeline, brains: Brains
) -> None:
    runtime = brains.runtime
    with heard.store.unit_of_work() as uow:
        draft = ConsultationIn.model_validate(buses())
        now = utcnow()
        consult.create(uow, draft, "c", now, runtime.flows, runtime.catalogue)
        consult.open_latest(uow, "buses", now, runtime.flows, runtime.catalogue)
        uow.commit()
    replies = _say(heard, 9001, "/start buses")
    if "Which language" in replies[-1]:
        replies = _say(heard, 9002, "English")
    assert "May we keep your answers" in replies[-1]
    assert "What would make the bus better for you?" in _say(heard, 9003, "Yes")[-1]
    assert "How do you get to the centre?" in _say(heard, 9004, "More buses")[-1]
    with heard.store.reading() as uow:
        (view,) = [v for v in uow.views.all() if v.consultation == "buses"]
    assert (view.channel, view.consultation_version, view.answer_value) == (
        "telegram",
        1,
        "More buses",
    )
