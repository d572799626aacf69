"""A `MessageCreated` as an outbox row for one channel, and the Telegram keyboard back from it.

SMS rows carry the final text (choices numbered inside it), its encoding and segment count, so
pacing can be costed by segments without rendering again. Telegram rows carry the text and the
button labels in order; the keyboard layout is a pure function of the labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.catalogue import Catalogue
from bot.channels.names import rendering_of
from bot.channels.telegram.render import Keyboard, render_telegram
from bot.channels.twilio_sms.render import render_sms_for
from bot.engine.events import Choice, MessageCreated
from storage.records import OutboxMessage

ENCODING_NAMES = {"GSM-7": "gsm7", "UCS-2": "ucs2"}


def outbox_message(
    message: MessageCreated,
    channel: str,
    participant_id: str | None,
    catalogue: Catalogue,
    at: datetime,
) -> OutboxMessage:
    encoding: str | None = None  # SMS only
    segments = 1
    if rendering_of(channel) == "sms":
        sms = render_sms_for(message, catalogue)
        text, encoding, segments = sms.text, ENCODING_NAMES[sms.encoding], sms.segments
    else:
        text = render_telegram(message).text
    return OutboxMessage(
        message_id=message.message_id,
        participant_id=participant_id,
        channel=channel,
        text=text,
        created_at=at,
        choices=tuple(choice.label for choice in message.choices),
        language=message.language,
        encoding=encoding,
        segments=segments,
    )


def telegram_keyboard(labels: Sequence[str]) -> Keyboard | None:
    """The keyboard `render_telegram` gives for these labels (choices are numbered in order)."""
    if not labels:
        return None
    choices = tuple(Choice(number, label, label) for number, label in enumerate(labels, 1))
    message = MessageCreated(
        at=datetime.min, message_id="", text_id="", text="", language="", register="standard",
        choices=choices,
    )
    return render_telegram(message).keyboard
