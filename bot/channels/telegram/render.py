"""The Telegram form of one message: its text and a one-time reply keyboard of the choices.

Buttons carry the choice labels (the engine accepts a label as the answer); a person who types
can still send the number, because choices are numbered in the order the buttons show them.
Short labels go two to a row, long ones one to a row; a scale is one row (`1 2 3 4 5`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.catalogue import Catalogue
from bot.channels.base import Rendered
from bot.engine.events import Choice, MessageCreated
from bot.render.choices import scale_prefix

# A label longer than this takes a whole row, so it is not cut off on a narrow phone.
PAIR_LABEL_MAX = 16

Keyboard = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class TelegramRendering:
    text: str
    keyboard: Keyboard | None  # None: no keyboard (and any earlier one is removed)


def _rows(labels: list[str]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    pending: list[str] = []
    for label in labels:
        if len(label) > PAIR_LABEL_MAX:
            if pending:
                rows.append(tuple(pending))
                pending = []
            rows.append((label,))
            continue
        pending.append(label)
        if len(pending) == 2:
            rows.append(tuple(pending))
            pending = []
    if pending:
        rows.append(tuple(pending))
    return rows


def render_telegram(message: MessageCreated) -> TelegramRendering:
    if not message.choices:
        return TelegramRendering(message.text, None)
    scale = scale_prefix(message.choices)
    rows: list[tuple[str, ...]] = []
    if scale:
        rows.append(tuple(c.label.strip() for c in message.choices[:scale]))
    rows.extend(_rows([c.label for c in message.choices[scale:]]))
    return TelegramRendering(message.text, tuple(rows))


def render(message: MessageCreated, catalogue: Catalogue) -> Rendered:
    """The outbox row: the text and the button labels in order (the keyboard's layout is a
    pure function of the labels: `keyboard_of`)."""
    labels = tuple(choice.label for choice in message.choices)
    return Rendered(render_telegram(message).text, labels)


def keyboard_of(labels: Sequence[str]) -> Keyboard | None:
    """The keyboard `render_telegram` gives for these labels (choices are numbered in order)."""
    if not labels:
        return None
    choices = tuple(Choice(number, label, label) for number, label in enumerate(labels, 1))
    message = MessageCreated(
        at=datetime.min, message_id="", text_id="", text="", language="", register="standard",
        choices=choices,
    )
    return render_telegram(message).keyboard
