"""TR-01 to TR-03: a language's plain-letter table (`sms.plain_letters`, bot.render.plain).

TR-01 (error): each letter maps to the same letter without its accent, in GSM-7: the table
never guesses a different letter. TR-02 (error): no letter whose accent tells words apart in
that language (`config.meaning_letters`). TR-03 (error): with the table applied, every shipped
message of the language is GSM-7, so a person who writes without accents pays GSM-7 prices.
`plain_savings` measures what the table saves, for the report.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.catalogue import Catalogue, LanguageInfo
from bot.flowspec.problems import Problem
from bot.lint.config import PLAIN_EXCEPTIONS, meaning_letters
from bot.lint.easyread import Finding
from bot.lint.parity import location
from bot.lint.questions import Question
from bot.lint.sms_size import measure
from bot.render.segments import is_gsm7
from bot.terms import REGISTERS


def without_accent(letter: str) -> str:
    """The letter with its combining marks removed (ł and Ł by agreement)."""
    if letter in PLAIN_EXCEPTIONS:
        return PLAIN_EXCEPTIONS[letter]
    decomposed = unicodedata.normalize("NFD", letter)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def check_table(info: LanguageInfo) -> list[Finding]:
    findings: list[Finding] = []
    meaning = meaning_letters(info.code)
    for letter, plain in info.plain_letters.items():
        if plain != without_accent(letter) or not is_gsm7(plain) or plain == letter:
            findings.append(
                Finding(
                    "error",
                    "TR-01",
                    f"plain letter {letter!r} -> {plain!r}: only the accent may go "
                    f"({letter!r} -> {without_accent(letter)!r})",
                )
            )
        if letter in meaning:
            findings.append(
                Finding(
                    "error",
                    "TR-02",
                    f"{letter!r} tells words apart in {info.english_name}: it may not be "
                    "written plainly",
                )
            )
    return findings


def check_messages(
    info: LanguageInfo, catalogue: Catalogue, questions: Mapping[str, Sequence[Question]]
) -> list[tuple[str, Finding]]:
    """(location, finding) for every message still UCS-2 with the table applied. A language
    menu's choices name each language in its own script by design, so only its text counts."""
    if not info.plain_letters:
        return []
    questions = {
        text_id: [q for q in asked if q.answer != "language"]
        for text_id, asked in questions.items()
    }
    found: list[tuple[str, Finding]] = []
    for text_id in info.messages:
        for register in REGISTERS:
            size = measure(catalogue, info.code, register, text_id, questions, info.plain_letters)
            if size.rendering.encoding == "GSM-7":
                continue
            left = sorted({ch for ch in size.rendering.text if not is_gsm7(ch)})
            found.append(
                (
                    location(text_id, info.code, register),
                    Finding(
                        "error",
                        "TR-03",
                        f"still UCS-2 in plain letters: {' '.join(left)} not in the table",
                    ),
                )
            )
    return found


@dataclass(frozen=True)
class PlainSavings:
    language: str
    english_name: str
    messages: int  # message texts measured, both registers
    ucs2_before: int
    ucs2_after: int
    segments_before: int
    segments_after: int


def plain_savings(
    info: LanguageInfo, catalogue: Catalogue, questions: Mapping[str, Sequence[Question]]
) -> PlainSavings:
    before = after = ucs2_before = ucs2_after = count = 0
    for text_id in info.messages:
        for register in REGISTERS:
            with_accents = measure(catalogue, info.code, register, text_id, questions).rendering
            plain = measure(
                catalogue, info.code, register, text_id, questions, info.plain_letters
            ).rendering
            count += 1
            before += with_accents.segments
            after += plain.segments
            ucs2_before += with_accents.encoding == "UCS-2"
            ucs2_after += plain.encoding == "UCS-2"
    return PlainSavings(
        info.code, info.english_name, count, ucs2_before, ucs2_after, before, after
    )


def format_savings(savings: Sequence[PlainSavings]) -> list[str]:
    if not savings:
        return []
    lines = ["Plain letters on SMS (both registers, each message with its choices)"]
    for s in savings:
        lines.append(
            f"{s.language + ' ' + s.english_name:<12.12} UCS-2 messages {s.ucs2_before} -> "
            f"{s.ucs2_after} of {s.messages}; SMS segments {s.segments_before} -> "
            f"{s.segments_after} ({s.segments_before - s.segments_after} fewer)"
        )
    return lines


def problems_for(
    info: LanguageInfo,
    catalogue: Catalogue,
    questions: Mapping[str, Sequence[Question]],
    file: str,
) -> list[Problem]:
    problems = [Problem(f.severity, file, "sms.plain_letters", f.rule, f.message)
                for f in check_table(info)]
    problems += [
        Problem(f.severity, file, where, f.rule, f.message)
        for where, f in check_messages(info, catalogue, questions)
    ]
    return problems
