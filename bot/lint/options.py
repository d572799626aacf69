"""ER-20: a question's answer options: how many, and how long each label is."""

from __future__ import annotations

from bot.catalogue import Catalogue
from bot.lint.config import MAX_OPTION_CHARS, MAX_OPTIONS
from bot.lint.easyread import Finding
from bot.lint.questions import Question
from bot.lint.sms_size import choice_labels
from bot.terms import Register


def option_count(question: Question) -> list[Finding]:
    """Reported once per question, at its flow step: the count is the same in every language."""
    if question.answer in ("scale", "language") or len(question.option_ids) <= MAX_OPTIONS:
        return []  # a fixed scale, and the language menu lists every language by design
    count = len(question.option_ids)
    return [Finding("warning", "ER-20", f"{count} options (more than {MAX_OPTIONS})")]


def option_labels(
    question: Question, catalogue: Catalogue, language: str, register: Register
) -> list[Finding]:
    if question.answer in ("scale", "language"):
        return []
    return [
        Finding(
            "warning",
            "ER-20",
            f"option {text!r} is {len(text)} characters (more than {MAX_OPTION_CHARS})",
        )
        for text in choice_labels(question, catalogue, language, register)
        if len(text) > MAX_OPTION_CHARS
    ]
