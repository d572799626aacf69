"""ER-19: every language carries every English message, in both registers, with the same
placeholders and a comparable length; and how much of each language people have reviewed.

A missing translation is an error even though the catalogue falls back to English: the person
then reads a language they did not choose, so it must never pass silently. Length is compared in
characters in every script; that is rough across scripts, which is why it is only a warning.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.catalogue import Catalogue, LanguageInfo
from bot.catalogue.model import BASE_LANGUAGE, PLACEHOLDER
from bot.flowspec.problems import Problem
from bot.lint.config import rules_for
from bot.terms import REGISTERS, Register


def location(text_id: str, language: str, register: Register | None = None) -> str:
    return (
        f"message {text_id} [{language}/{register}]"
        if register
        else f"message {text_id} [{language}]"
    )


def _empty_registers(info: LanguageInfo, shown: str) -> list[Problem]:
    problems: list[Problem] = []
    for text_id, entry in info.messages.items():
        for register in REGISTERS:
            if not entry.variant(register).strip():
                other = "English" if register == "standard" else "the standard text"
                problems.append(
                    Problem(
                        "error",
                        shown,
                        location(text_id, info.code, register),
                        "ER-19",
                        f"no {register} text: {other} is sent instead",
                    )
                )
    return problems


def _compare(base: LanguageInfo, info: LanguageInfo, shown: str) -> list[Problem]:
    problems: list[Problem] = []
    low, high = rules_for(info.code).length_ratio
    min_chars = rules_for(info.code).length_ratio_min_chars
    for text_id, english in base.messages.items():
        entry = info.messages.get(text_id)
        if entry is None:
            problems.append(
                Problem(
                    "error",
                    shown,
                    location(text_id, info.code),
                    "ER-19",
                    "missing: English is sent instead",
                )
            )
            continue
        for register in REGISTERS:
            source, translated = english.variant(register), entry.variant(register)
            if not translated.strip():
                continue  # reported as an empty register
            want = set(PLACEHOLDER.findall(source))
            have = set(PLACEHOLDER.findall(translated))
            if want != have:
                problems.append(
                    Problem(
                        "error",
                        shown,
                        location(text_id, info.code, register),
                        "ER-19",
                        f"placeholders {sorted(have)} differ from English {sorted(want)}",
                    )
                )
            if len(source) >= min_chars:
                ratio = len(translated) / len(source)
                if not low <= ratio <= high:
                    problems.append(
                        Problem(
                            "warning",
                            shown,
                            location(text_id, info.code, register),
                            "ER-19",
                            f"{ratio:.2f} times the length of English (expected {low}-{high})",
                        )
                    )
    problems.extend(
        Problem(
            "warning",
            shown,
            location(text_id, info.code),
            "ER-19",
            "not in English: no flow can send it",
        )
        for text_id in info.messages
        if text_id not in base.messages
    )
    return problems


def parity(catalogue: Catalogue, shown: Callable[[LanguageInfo], str]) -> list[Problem]:
    base = catalogue.languages[BASE_LANGUAGE]
    problems: list[Problem] = []
    for info in catalogue.languages.values():
        problems.extend(_empty_registers(info, shown(info)))
        if info.code != BASE_LANGUAGE:
            problems.extend(_compare(base, info, shown(info)))
    return problems


def review_status(catalogue: Catalogue, shown: Callable[[LanguageInfo], str]) -> list[Problem]:
    """CAT-REVIEW: per language, how many messages are reviewed (and by whom) and how many are
    drafts; a message that says `status: reviewed` without a named reviewer, or whose text
    changed after the review, counts as a draft and is named (docs/DESIGN.md, "Translators and
    review")."""
    problems: list[Problem] = []
    for info in catalogue.languages.values():
        reviewed = [e for e in info.messages.values() if e.reviewed]
        draft = len(info.messages) - len(reviewed)
        names = sorted({str(e.reviewed_by) for e in reviewed})
        who = f" by {', '.join(names)}" if names else ""
        problems.append(
            Problem(
                "info",
                shown(info),
                "",
                "CAT-REVIEW",
                f"{info.english_name}: {len(reviewed)} messages reviewed{who}, {draft} draft",
            )
        )
        for text_id, entry in info.messages.items():
            if entry.status not in ("draft", "reviewed"):
                reason = f"status {entry.status!r}: draft or reviewed"
            elif entry.status != "reviewed" or entry.reviewed:
                continue
            elif not entry.reviewed_by:
                reason = "marked reviewed without a named reviewer: counted as draft"
            else:
                reason = (
                    f"text changed since {entry.reviewed_by} reviewed it: counted as draft "
                    "(import or review it again with --reviewed-by)"
                )
            problems.append(
                Problem("warning", shown(info), location(text_id, info.code), "CAT-REVIEW", reason)
            )
    return problems
