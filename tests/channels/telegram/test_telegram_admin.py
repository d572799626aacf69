"""`heard telegram set-webhook` against the fake Bot API."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalogue import load_catalogue
from bot.channels.telegram.admin import set_webhook
from bot.config import load_settings
from tests.fakes.live_server import live_server
from tests.fakes.telegram_api import FakeTelegramApi
from tests.web.harness import BOT_ID, BOT_TOKEN, PUBLIC_URL, WEBHOOK_SECRET, heard_env


@pytest.mark.parametrize("drop_pending", [True, False])
def test_set_webhook_registers_the_url_secret_and_update_kinds(
    tmp_path: Path, drop_pending: bool
) -> None:
    api = FakeTelegramApi(BOT_TOKEN, bot_id=BOT_ID)
    with live_server(api.app) as url:
        settings = load_settings(heard_env(tmp_path, "sqlite://", telegram_url=url))
        assert set_webhook(settings, drop_pending=drop_pending) == 0
    assert api.webhook is not None
    assert api.webhook["url"] == f"{PUBLIC_URL}/webhooks/telegram"
    assert api.webhook["secret_token"] == WEBHOOK_SECRET
    assert api.webhook["allowed_updates"] == ["message"]
    assert bool(api.webhook.get("drop_pending_updates")) is drop_pending


def test_set_webhook_registers_the_command_menu_in_every_catalogue_language(
    tmp_path: Path,
) -> None:
    api = FakeTelegramApi(BOT_TOKEN, bot_id=BOT_ID)
    with live_server(api.app) as url:
        settings = load_settings(heard_env(tmp_path, "sqlite://", telegram_url=url))
        assert set_webhook(settings, drop_pending=False) == 0
    languages = ["", *load_catalogue().codes]
    assert sorted(api.commands) == sorted(languages)
    for code, commands in api.commands.items():
        names = [command["command"] for command in commands]
        assert names == ["start", "menu", "help", "stop", "language"], code
    described = {code: commands[3]["description"] for code, commands in api.commands.items()}
    assert described[""] == described["en"] == "Stop all messages"
    assert described["pl"] == "Zatrzymaj wszystkie wiadomości"
    assert described["ar"] == "أوقف كل الرسائل"
    # Every language describes its menu in its own words, not in English.
    assert len(set(described.values())) == len(languages) - 1


@pytest.mark.parametrize(
    "missing",
    [
        pytest.param({"TELEGRAM_WEBHOOK_SECRET": ""}, id="no-secret"),
        pytest.param({"HEARD_PUBLIC_URL": "http://heard.example.org"}, id="not-https"),
    ],
)
def test_set_webhook_refuses_a_configuration_that_cannot_work(
    tmp_path: Path, missing: dict[str, str]
) -> None:
    api = FakeTelegramApi(BOT_TOKEN, bot_id=BOT_ID)
    with live_server(api.app) as url:
        env = heard_env(tmp_path, "sqlite://", telegram_url=url) | missing
        assert set_webhook(load_settings(env), drop_pending=False) == 2
    assert api.webhook is None


def test_polling_registers_the_command_menu_then_reads_commands(tmp_path: Path) -> None:
    """PTB's own Updater long-polls the fake Bot API's getUpdates; each update reaches the same
    handler a webhook's does."""
    import asyncio
    import time

    from bot.catalogue import load_catalogue
    from bot.channels.base import InboundMessage
    from bot.channels.telegram.updates import TelegramUpdates
    from tests.fakes import telegram_api as tg

    class Recorder:
        def __init__(self) -> None:
            self.got: list[InboundMessage] = []
            self.arrived = asyncio.Event()

        async def record(self, inbound: InboundMessage) -> bool:
            self.got.append(inbound)
            self.arrived.set()
            return True

    api = FakeTelegramApi(BOT_TOKEN, bot_id=BOT_ID)
    api.queue_update(tg.text_update(61, 7700900123, "/menu", int(time.time())))

    async def run() -> Recorder:
        recorder = Recorder()
        settings = load_settings(heard_env(tmp_path, "sqlite://", telegram_url=url))
        assert settings.telegram is not None
        updates = TelegramUpdates(
            settings.telegram, recorder, polling=True, catalogue=load_catalogue(), long_poll=1
        )
        await updates.start()
        try:
            await asyncio.wait_for(recorder.arrived.wait(), timeout=20)
        finally:
            await updates.stop()
        return recorder

    with live_server(api.app) as url:
        recorder = asyncio.run(run())
    assert len(api.commands) == 10
    assert [m.text for m in recorder.got] == ["MENU"]
    assert [m.provider_key for m in recorder.got] == [f"{BOT_ID}:61"]
    methods = [method for method, _ in api.calls]
    assert "getUpdates" in methods
    assert methods.index("setMyCommands") < methods.index("getUpdates")
