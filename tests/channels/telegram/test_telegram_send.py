"""python-telegram-bot, through `TelegramSender`, against a local double of the Bot API."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator, Sequence

import pytest
from telegram import Bot
from telegram.error import Conflict

from bot.channels.base import Failed, OptedOut, RetryLater, SendOutcome, Sent
from bot.channels.telegram.send import TelegramSender
from bot.channels.telegram.webhook import parse_telegram_update
from tests.fakes import telegram_api as tg
from tests.fakes.live_server import live_server

TOKEN = "123456:TEST-token-not-real"
CHAT = "7700900123"


@pytest.fixture
def fake() -> Iterator[tuple[tg.FakeTelegramApi, str]]:
    api = tg.FakeTelegramApi(TOKEN)
    with live_server(api.app) as url:
        yield api, f"{url}/bot"


def send(
    base_url: str,
    text: str,
    choices: Sequence[str] = (),
    token: str = TOKEN,
    timeout: float = 5,
    times: int = 1,
) -> list[SendOutcome]:
    async def scenario() -> list[SendOutcome]:
        async with TelegramSender(token, base_url=base_url, timeout=timeout) as sender:
            return [await sender.send(CHAT, text, choices, f"msg-{n}") for n in range(times)]

    return asyncio.run(scenario())


@pytest.mark.parametrize(
    ("choices", "markup"),
    [
        pytest.param(
            ("Tak", "Nie", "Wolę nie mówić"),
            {
                "keyboard": [[{"text": "Tak"}], [{"text": "Nie"}], [{"text": "Wolę nie mówić"}]],
                "one_time_keyboard": True,
                "resize_keyboard": True,
            },
            id="choices-become-a-one-time-keyboard",
        ),
        pytest.param((), {"remove_keyboard": True}, id="no-choices-remove-the-keyboard"),
    ],
)
def test_sends_plain_text_with_keyboard(
    fake: tuple[tg.FakeTelegramApi, str], choices: tuple[str, ...], markup: dict[str, object]
) -> None:
    api, base_url = fake
    text = "Czy chcesz powiedzieć więcej? <b>not markup</b>"
    assert send(base_url, text, choices) == [Sent("1")]
    assert api.sent == [tg.SentMessage(CHAT, text, markup, parse_mode=None)]


@pytest.mark.parametrize(
    ("reply", "timeout", "expected"),
    [
        pytest.param(
            tg.flood_control(retry_after=3),
            5,
            RetryLater("telegram: flood control", 3.0),
            id="429-retry-after",
        ),
        pytest.param(
            tg.server_error(),
            5,
            RetryLater("telegram: NetworkError: Internal Server Error"),
            id="500",
        ),
        pytest.param(tg.blocked_by_user(), 5, OptedOut("403"), id="403-blocked"),
        pytest.param(
            tg.bad_request("Bad Request: chat not found"),
            5,
            Failed("telegram: BadRequest: Chat not found", "400"),
            id="400",
        ),
        pytest.param(tg.slow(1.5), 0.3, RetryLater("telegram: TimedOut: Timed out"), id="timeout"),
    ],
)
def test_bot_api_errors_map_to_outcomes(
    fake: tuple[tg.FakeTelegramApi, str], reply: tg.Reply, timeout: float, expected: SendOutcome
) -> None:
    api, base_url = fake
    api.program("sendMessage", reply)
    assert send(base_url, "Hello", ("Yes", "No"), timeout=timeout) == [expected]
    assert [method for method, _ in api.calls].count("sendMessage") == 1, "no retries of its own"


def test_a_retry_after_flood_control_is_sent(fake: tuple[tg.FakeTelegramApi, str]) -> None:
    api, base_url = fake
    api.program("sendMessage", tg.flood_control(retry_after=1))
    first, second = send(base_url, "Hello", times=2)
    assert isinstance(first, RetryLater)
    assert second == Sent("1")
    assert len(api.sent) == 1


def test_a_refused_token_fails(fake: tuple[tg.FakeTelegramApi, str]) -> None:
    _, base_url = fake

    async def scenario() -> SendOutcome:
        sender = TelegramSender("999:wrong-token-not-real", base_url=base_url)
        try:
            return await sender.send(CHAT, "Hello", (), "msg-1")
        finally:
            await sender.aclose()

    outcome = asyncio.run(scenario())
    assert outcome == Failed("telegram: the bot token was refused", "401")


def test_unreachable_api_means_retry_later() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    async def scenario() -> SendOutcome:
        sender = TelegramSender(TOKEN, base_url=f"http://127.0.0.1:{closed_port}/bot", timeout=2)
        try:
            return await sender.send(CHAT, "Hello", (), "msg-1")
        finally:
            await sender.aclose()

    assert isinstance(asyncio.run(scenario()), RetryLater)


def test_polling_reads_queued_updates_once(fake: tuple[tg.FakeTelegramApi, str]) -> None:
    api, base_url = fake
    api.queue_update(tg.text_update(11, int(CHAT), "Yes", 1772443800))
    api.queue_update(tg.text_update(12, int(CHAT), "No", 1772443801))

    async def scenario() -> tuple[list[str], int]:
        async with Bot(TOKEN, base_url=base_url) as bot:
            updates = await bot.get_updates(timeout=0)
            texts = []
            for update in updates:
                parsed = parse_telegram_update(update.to_dict(), bot, bot.id)
                assert parsed is not None
                texts.append(parsed.text)
            again = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
            return texts, len(again)

    assert asyncio.run(scenario()) == (["Yes", "No"], 0)


def test_webhook_setup_and_polling_conflict(fake: tuple[tg.FakeTelegramApi, str]) -> None:
    api, base_url = fake
    hook = "https://heard.example.org/webhooks/telegram"

    async def scenario() -> str:
        async with Bot(TOKEN, base_url=base_url) as bot:
            await bot.set_webhook(hook, secret_token="heard-test-secret_not-real")
            with pytest.raises(Conflict):
                await bot.get_updates(timeout=0)
            url = (await bot.get_webhook_info()).url
            await bot.delete_webhook()
            assert (await bot.get_webhook_info()).url == ""
            return url

    assert asyncio.run(scenario()) == hook
    assert api.webhook is None
