"""A rendered message goes out unchanged: the renderers decide the words, buttons and segments."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.channels.base import Sent
from bot.channels.telegram.render import render_telegram
from bot.channels.telegram.send import TelegramSender
from bot.channels.twilio_sms.render import render_sms
from bot.channels.twilio_sms.send import TwilioSender
from bot.engine.events import Choice, MessageCreated
from tests.fakes import telegram_api as tg
from tests.fakes.live_server import live_server
from tests.fakes.twilio_api import FakeTwilioApi

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SCALE = MessageCreated(
    at=AT,
    message_id="m-1",
    text_id="hys.q_scale",
    text="Jak bardzo się zgadzasz? 1 = wcale, 5 = bardzo",
    language="pl",
    register="standard",
    choices=(
        *(Choice(n, str(n), str(n)) for n in range(1, 6)),
        Choice(6, "prefer_not_to_say", "Wolę nie mówić, dziękuję"),
    ),
)
YES_NO = MessageCreated(
    at=AT,
    message_id="m-2",
    text_id="common.delete_confirm",
    text="Delete everything you told us?",
    language="en",
    register="easy",
    choices=(Choice(1, "yes", "Yes"), Choice(2, "no", "No")),
)
URDU = MessageCreated(
    at=AT,
    message_id="m-3",
    text_id="common.help",
    text="مدد کے لیے MENU لکھیں۔ " * 4,
    language="ur",
    register="standard",
    direction="rtl",
)
MESSAGES = [
    pytest.param(SCALE, id="polish-scale"),
    pytest.param(YES_NO, id="english-yes-no"),
    pytest.param(URDU, id="urdu-no-choices"),
]

ACCOUNT = "AC" + "f" * 32
TOKEN = "test-auth-token-not-real"
BOT_TOKEN = "123456:TEST-token-not-real"


@pytest.fixture
def twilio() -> Iterator[tuple[FakeTwilioApi, str]]:
    api = FakeTwilioApi(ACCOUNT, TOKEN)
    with live_server(api.app) as url:
        yield api, url


@pytest.fixture
def telegram() -> Iterator[tuple[tg.FakeTelegramApi, str]]:
    api = tg.FakeTelegramApi(BOT_TOKEN)
    with live_server(api.app) as url:
        yield api, f"{url}/bot"


@pytest.mark.parametrize("message", MESSAGES)
def test_sms_goes_out_as_rendered_and_costs_what_the_renderer_counted(
    twilio: tuple[FakeTwilioApi, str], message: MessageCreated
) -> None:
    api, url = twilio
    rendering = render_sms(message)
    sender = TwilioSender(ACCOUNT, TOKEN, from_number="+447700900001", api_base_url=url)
    try:
        outcome = asyncio.run(sender.send("+447700900123", rendering.text, [], message.message_id))
    finally:
        sender.close()
    [created] = api.created
    assert outcome == Sent(created["sid"])
    assert created["body"] == rendering.text
    assert int(created["num_segments"]) == rendering.segments


@pytest.mark.parametrize("message", MESSAGES)
def test_telegram_goes_out_with_the_rendered_keyboard(
    telegram: tuple[tg.FakeTelegramApi, str], message: MessageCreated
) -> None:
    api, base_url = telegram
    rendering = render_telegram(message)
    labels = [c.label for c in message.choices]

    async def scenario() -> None:
        async with TelegramSender(BOT_TOKEN, base_url=base_url) as sender:
            await sender.send(
                "7700900123",
                rendering.text,
                labels,
                message.message_id,
                keyboard=rendering.keyboard,
            )

    asyncio.run(scenario())
    [sent] = api.sent
    assert sent.text == rendering.text
    if rendering.keyboard is None:
        assert sent.reply_markup == {"remove_keyboard": True}
    else:
        assert sent.reply_markup is not None
        buttons = [[b["text"] for b in row] for row in sent.reply_markup["keyboard"]]
        assert buttons == [list(row) for row in rendering.keyboard]
        assert sorted(b for row in buttons for b in row) == sorted(labels)
