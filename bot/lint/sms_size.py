"""ER-15: the SMS size of every message as sent, with the choices its question shows.

A message is measured as `render_sms` renders it: placeholders filled with typical values
(`config.PLACEHOLDER_SAMPLES`), the language's GSM-7 normalisation applied, and, for a question,
the numbered choices in the same language and register. When one text heads several questions
the largest rendering counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.catalogue import Catalogue, CatalogueError
from bot.channels.twilio_sms.render import SmsRendering, render_sms
from bot.engine.events import Choice, MessageCreated
from bot.flowspec.problems import Severity
from bot.lint.config import PLACEHOLDER_SAMPLES, SMS_SEGMENTS_ERROR, SMS_SEGMENTS_WARN
from bot.lint.easyread import Finding
from bot.lint.questions import SCALE_LABELS, SKIP, Question
from bot.terms import Register

_MEASURED_AT = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Measured:
    text_id: str
    language: str
    register: Register
    rendering: SmsRendering
    question: Question | None  # None: measured as a plain message


def label(catalogue: Catalogue, language: str, register: Register, text_id: str) -> str:
    try:
        return catalogue.text(language, register, text_id, PLACEHOLDER_SAMPLES).text
    except CatalogueError:
        return text_id  # the flow validator reports the unknown id


def choice_labels(
    question: Question, catalogue: Catalogue, language: str, register: Register
) -> list[str]:
    if question.answer == "scale":
        labels = list(SCALE_LABELS)
    elif question.answer == "language":
        labels = [info.name for info in catalogue.languages.values()]
    else:
        labels = [label(catalogue, language, register, i) for i in question.option_ids]
    if question.skippable:
        labels.append(label(catalogue, language, register, SKIP))
    return labels


def measure(
    catalogue: Catalogue,
    language: str,
    register: Register,
    text_id: str,
    questions: Mapping[str, Sequence[Question]],
    plain: Mapping[str, str] | None = None,
) -> Measured:
    """The SMS of one message as sent; with `plain`, as sent to a person who writes without
    accents (the language's plain-letter table applied)."""
    info = catalogue.languages[language]
    resolved = catalogue.text(language, register, text_id, PLACEHOLDER_SAMPLES)
    candidates: list[Measured] = []
    asked: Sequence[Question | None] = questions.get(text_id) or [None]
    for question in asked:
        labels = choice_labels(question, catalogue, language, register) if question else []
        message = MessageCreated(
            at=_MEASURED_AT,
            message_id="lint",
            text_id=text_id,
            text=resolved.text,
            language=language,
            register=register,
            choices=tuple(Choice(n, str(n), lab) for n, lab in enumerate(labels, start=1)),
            direction=resolved.direction,
        )
        rendering = render_sms(message, normalise=info.gsm7_normalise, plain=plain)
        candidates.append(Measured(text_id, language, register, rendering, question))
    return max(candidates, key=lambda m: m.rendering.segments)


def sms_size(measured: Measured) -> list[Finding]:
    segments = measured.rendering.segments
    if segments <= SMS_SEGMENTS_WARN:
        return []
    severity: Severity = "error" if segments > SMS_SEGMENTS_ERROR else "warning"
    with_choices = " with its choices" if measured.question else ""
    return [
        Finding(
            severity,
            "ER-15",
            f"{segments} SMS segments ({measured.rendering.encoding}, "
            f"{len(measured.rendering.text)} characters){with_choices}",
        )
    ]
