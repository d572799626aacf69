"""`heard chat`: a conversation in the terminal through the same engine, renderer and store as
the channels. Reads lines from stdin, so it works interactively and piped.

With `--channel telegram` a line is read as Telegram delivers it: `/start` (with or without a
deep link code) and the command menu's `/menu`, `/help`, `/stop`, `/language` mean what they
mean in the app (bot.channels.telegram.webhook.read_command, bot.inbox.worker.turn_text).

The engine is handed the same content as the inbox worker's: `flows/` plus the consultations
opened in the workspace (bot.service.consultations.FlowRegistry), read again before each turn,
so a consultation's keyword works here as it does on a phone."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from bot.catalogue import Catalogue
from bot.channels.base import InboundMessage
from bot.channels.telegram.render import render_telegram
from bot.channels.twilio_sms.render import render_sms_for
from bot.config import Settings
from bot.engine.events import MessageCreated
from bot.runtime import Runtime
from bot.service.consultations import FlowRegistry

log = logging.getLogger("heard.chat")


def format_message(message: MessageCreated, channel: str, catalogue: Catalogue) -> str:
    """How a message would look on the person's phone, plus what it costs on SMS."""
    if channel == "sms":
        sms = render_sms_for(message, catalogue)
        plural = "" if sms.segments == 1 else "s"
        return f"{sms.text}\n    [SMS: {sms.encoding}, {sms.segments} segment{plural}]"
    rendering = render_telegram(message)
    lines = [rendering.text]
    for row in rendering.keyboard or ():
        lines.append("    " + "  ".join(f"[ {label} ]" for label in row))
    return "\n".join(lines)


def run_chat(
    settings: Settings,
    channel: str,
    address: str,
    stdin: TextIO,
    stdout: TextIO,
    ready: Callable[[], None] | None = None,
) -> int:
    """Chats until stdin ends. `ready` is called once everything is loaded, before the first
    line is read (`heard chat` turns the garbage collector back on there)."""
    if channel == "telegram":
        # Telegram's command reading and the inbox worker's text rule, for a Telegram chat only
        from bot.channels.telegram.webhook import read_command
        from bot.inbox.worker import turn_text
    runtime = Runtime(settings)
    base = conversation = runtime.conversation
    store = runtime.store
    registry = FlowRegistry(base.engine.flows, base.engine.catalogue)
    catalogue = registry.catalogue
    if ready is not None:
        ready()
    interactive = stdin.isatty()
    if interactive:
        stdout.write(f"Heard over {channel}. Type a message; Ctrl-D ends the chat.\n")
    while True:
        if interactive:
            stdout.write("you> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        text = line.rstrip("\r\n")
        if not interactive:
            stdout.write(f"you> {text}\n")
        now = datetime.now(UTC)
        with store.reading() as reader:
            if registry.refresh(reader, now):  # as the inbox worker does before each batch
                conversation = base.with_content(registry.flows, registry.catalogue)
                catalogue = registry.catalogue
        deep_link: str | None = None
        if channel == "telegram":
            text, deep_link = read_command(text)
            inbound = InboundMessage(channel, address, text, "chat", now, deep_link=deep_link)
            text = turn_text(inbound, catalogue)
        uow = store.unit_of_work()
        try:
            with uow:
                outcome = conversation.handle(
                    uow, channel=channel, address=address, text=text, at=now,
                    start_flow=deep_link,
                )
                uow.commit()
        except Exception as exc:
            # The type only: an exception's message or traceback can quote the person's words.
            log.error("turn failed (%s); nothing from it was stored", type(exc).__name__)
            stdout.write("heard> Sorry, something went wrong on our side. Please try again.\n")
            continue
        for message in outcome.messages:
            body = format_message(message, channel, catalogue).replace("\n", "\n       ")
            stdout.write(f"heard> {body}\n")
        stdout.flush()
    return 0
