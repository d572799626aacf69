"""Heard's command menu in Telegram (the "/" button): `/start`, `/menu`, `/help`, `/stop`,
`/language`, described in each catalogue language (`telegram.command.<name>`, standard
register), registered with `setMyCommands` once per language (`language_code`), plus the
English menu for every other language. `heard telegram set-webhook` and polling start-up
register it; registering again replaces it, so it is safe to repeat."""

from __future__ import annotations

from telegram import Bot, BotCommand

from bot.catalogue import Catalogue
from bot.channels.telegram.webhook import COMMANDS

BASE_LANGUAGE = "en"


def command_menus(catalogue: Catalogue) -> list[tuple[str | None, list[BotCommand]]]:
    """(language_code, commands): None first (people whose language has no menu of its own),
    then one per catalogue language."""
    languages: list[tuple[str | None, str]] = [(None, BASE_LANGUAGE)]
    languages += [(code, code) for code in catalogue.codes]
    return [(code, _commands(catalogue, language)) for code, language in languages]


def _commands(catalogue: Catalogue, language: str) -> list[BotCommand]:
    return [
        BotCommand(name, catalogue.text(language, "standard", f"telegram.command.{name}").text)
        for name in COMMANDS
    ]


async def register_commands(bot: Bot, catalogue: Catalogue) -> None:
    """Raises `telegram.error.TelegramError` when the Bot API refuses."""
    for code, commands in command_menus(catalogue):
        await bot.set_my_commands(commands, language_code=code)
