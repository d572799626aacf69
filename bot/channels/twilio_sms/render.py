"""The SMS text of one message: the text, then its choices as numbered lines.

Contract: choices are one per line as `<number> <label>`, the number first in every direction
(an RTL line then shows the number at its right-hand start). A scale whose labels are only the
digits is one line, `1 2 3 4 5`. The renderer never adds links or anything else. RTL text is kept
exactly; other text is normalised to GSM-7 when `normalise` is true (the caller passes the
language's `gsm7_normalise`), which never alters letters. Letters change only through the
language's reviewed plain-letter table, passed by `render_sms_for` when the message says the
person writes without accents (bot.render.plain).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.catalogue import Catalogue
from bot.channels.base import Rendered
from bot.engine.events import MessageCreated
from bot.render.choices import scale_prefix
from bot.render.gsm7 import normalise_for_gsm7
from bot.render.plain import plain_letters
from bot.render.segments import Encoding, sms_encoding_and_segments


@dataclass(frozen=True)
class SmsRendering:
    text: str
    encoding: Encoding
    segments: int


def choice_lines(message: MessageCreated) -> list[str]:
    choices = message.choices
    scale = scale_prefix(choices)
    lines = [" ".join(str(c.number) for c in choices[:scale])] if scale else []
    lines.extend(f"{c.number} {c.label}" for c in choices[scale:])
    return lines


def render_sms(
    message: MessageCreated,
    normalise: bool = True,
    plain: Mapping[str, str] | None = None,
) -> SmsRendering:
    text = "\n".join([message.text, *choice_lines(message)])
    if plain and message.direction == "ltr":
        text = plain_letters(text, plain)
    if normalise and message.direction == "ltr":
        text = normalise_for_gsm7(text)
    size = sms_encoding_and_segments(text)
    return SmsRendering(text, size.encoding, size.segments)


def render_sms_for(message: MessageCreated, catalogue: Catalogue) -> SmsRendering:
    """`render_sms` with the message's language's own GSM-7 setting (normalise when unknown),
    and its plain-letter table when the person writes without accents."""
    info = catalogue.languages.get(message.language)
    if info is None:
        return render_sms(message)
    plain = info.plain_letters if message.plain_letters else None
    return render_sms(message, normalise=info.gsm7_normalise, plain=plain)


ENCODING_NAMES = {"GSM-7": "gsm7", "UCS-2": "ucs2"}


def render(message: MessageCreated, catalogue: Catalogue) -> Rendered:
    """The outbox row's text (choices numbered inside it), encoding and segment count, so
    pacing can be costed by segments without rendering again."""
    sms = render_sms_for(message, catalogue)
    labels = tuple(choice.label for choice in message.choices)
    return Rendered(sms.text, labels, ENCODING_NAMES[sms.encoding], sms.segments)
