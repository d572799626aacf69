"""What a coordinator sees while writing an update: for each text, the same easy-read and SMS
size findings `heard lint` gives a catalogue message (bot.lint), the SMS encoding, its segments
and their cost, and a preview per channel (SMS as it is split into parts, Telegram as sent).

Missing texts are listed per language and register with how many people wait for each: such
people are held back when the update is sent, never sent another language's text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.catalogue import Catalogue
from bot.channels.twilio_sms.render import render_sms_for
from bot.engine.events import MessageCreated
from bot.lint.easyread import TextContext, check_text
from bot.lint.runner import allowed_capitals
from bot.lint.sms_size import Measured, sms_size
from bot.render.segments import split_segments
from bot.terms import Register
from storage.records import AudienceCount

UPDATE_TEXT_ID = "update"
MAX_CHARACTERS = 1600  # Twilio's limit for one message body


@dataclass(frozen=True)
class LintFinding:
    severity: str
    rule: str
    message: str


@dataclass(frozen=True)
class TextCheck:
    language: str
    register: Register
    text: str
    findings: tuple[LintFinding, ...]
    encoding: str  # "GSM-7" | "UCS-2"
    segments: int
    characters: int
    cost: float | None  # segments x the configured price per segment; None when not configured
    sms_parts: tuple[str, ...]  # the SMS as it arrives, part by part
    telegram: str

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")


def as_message(
    text: str, language: str, register: Register, catalogue: Catalogue, message_id: str,
    at: datetime,
) -> MessageCreated:
    """An update's text as the channels render it (no choices: a reply is free text)."""
    info = catalogue.languages.get(language)
    return MessageCreated(
        at=at,
        message_id=message_id,
        text_id=UPDATE_TEXT_ID,
        text=text,
        language=language,
        register=register,
        direction=info.direction if info is not None else "ltr",
    )


def check(
    text: str,
    language: str,
    register: Register,
    catalogue: Catalogue,
    price_per_segment: float | None,
) -> TextCheck:
    message = as_message(text, language, register, catalogue, "preview", datetime.now(UTC))
    sms = render_sms_for(message, catalogue)
    findings = [
        LintFinding(f.severity, f.rule, f.message)
        for f in check_text(text, TextContext(language, register, allowed_capitals(catalogue)))
    ]
    findings += [
        LintFinding(f.severity, f.rule, f.message)
        for f in sms_size(Measured(UPDATE_TEXT_ID, language, register, sms, None))
    ]
    if len(text) > MAX_CHARACTERS:
        findings.append(
            LintFinding("error", "UPD-01", f"{len(text)} characters: at most {MAX_CHARACTERS}")
        )
    cost = None if price_per_segment is None else round(sms.segments * price_per_segment, 4)
    return TextCheck(
        language, register, text, tuple(findings), sms.encoding, sms.segments, len(sms.text),
        cost, tuple(split_segments(sms.text)), text,
    )


@dataclass(frozen=True)
class Missing:
    language: str
    register: Register
    people: int  # held back if the update were sent now


def missing_texts(
    texts: Mapping[tuple[str, str], str], audience: Iterable[AudienceCount]
) -> list[Missing]:
    """Each (language, register) some recipient needs and the update has no text for."""
    waiting: dict[tuple[str, str], int] = {}
    for count in audience:
        key = (count.language, count.register)
        if key not in texts:
            waiting[key] = waiting.get(key, 0) + count.people
    return [
        Missing(language, "easy" if register == "easy" else "standard", n)
        for (language, register), n in sorted(waiting.items())
    ]
