"""What an imported PO file does to one message, wherever its texts are kept: the checks of
each entry against the English it was exported with, and the review rule. The catalogue
adapter (`bot.translations.catalogue`) applies the outcome to YAML; a consultation kept in the
database applies the same outcome to its own rows (docs/DESIGN.md, "Translators and review").

The review rule, per message (both registers together):
- a message becomes reviewed only when a named reviewer imports it (`--reviewed-by`) with every
  entry of it in the file translated and not fuzzy, or marks it reviewed without a change;
- an import that changes a text without such a reviewer makes the message a draft;
- a reviewer's import that flags a reviewed text fuzzy makes it a draft;
- anything else keeps the status it had (so an unedited export imports as no change).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.terms import REGISTERS, Register
from bot.translations.po import ReadEntry

Review = Literal["reviewed", "draft", "keep"]


@dataclass(frozen=True)
class ImportProblem:
    """Why an import was refused (severity error) or what to look at (warning)."""

    severity: str
    line: int  # PO line of the entry's msgid; 0 for the whole file
    text_id: str
    register: str
    reason: str

    def shown(self, file: str) -> str:
        where = f"{self.text_id} [{self.register}]" if self.register else self.text_id
        head = f"{file}:{self.line}" if self.line else file
        return f"{head}: {self.severity}: {where + ': ' if where else ''}{self.reason}"


@dataclass(frozen=True)
class Current:
    """A message as its store has it now (None for a message the language lacks)."""

    standard: str
    easy: str
    reviewed: bool

    def variant(self, register: Register) -> str:
        return self.easy if register == "easy" else self.standard


@dataclass(frozen=True)
class Outcome:
    standard: str
    easy: str
    changed: bool  # a text differs from the current one (or the message is new)
    review: Review
    was_reviewed: bool

    def variant(self, register: Register) -> str:
        return self.easy if register == "easy" else self.standard


def check_sources(
    entries: Sequence[ReadEntry], english: Callable[[str, Register], str | None]
) -> tuple[dict[str, list[ReadEntry]], list[ImportProblem]]:
    """Entries grouped by message id, and a problem for each whose message is unknown
    (`english` returns None) or whose English changed since the export."""
    grouped: dict[str, list[ReadEntry]] = {}
    problems: list[ImportProblem] = []
    for entry in entries:
        source = english(entry.text_id, entry.register)
        if source is None:
            reason = "no such message in English"
        elif source != entry.source:
            reason = "the English text changed since this file was exported: export again"
        else:
            grouped.setdefault(entry.text_id, []).append(entry)
            continue
        problems.append(ImportProblem("error", entry.line, entry.text_id, entry.register, reason))
    return grouped, problems


def decide(current: Current | None, read: Sequence[ReadEntry], reviewer: str | None) -> Outcome:
    """The texts and review status one message has after an import (see the module's rule).
    An empty msgstr leaves that register's text as it is."""
    texts: dict[Register, str] = {r: current.variant(r) if current else "" for r in REGISTERS}
    for entry in read:
        if entry.translation:
            texts[entry.register] = entry.translation
    # A message the store lacks is changed by any translation, and left alone by none.
    changed = any(texts[r] != (current.variant(r) if current else "") for r in REGISTERS)
    confirmed = (
        reviewer is not None
        and all(e.translation and not e.fuzzy for e in read)
        and all(texts[r].strip() for r in REGISTERS)
    )
    was_reviewed = current is not None and current.reviewed
    review: Review = "keep"
    if changed:
        review = "reviewed" if confirmed else "draft"
    elif reviewer is not None and current is not None:
        if confirmed and not was_reviewed:
            review = "reviewed"
        elif was_reviewed and any(e.fuzzy for e in read):
            review = "draft"
    return Outcome(texts["standard"], texts["easy"], changed, review, was_reviewed)


def lines_of(entries: Sequence[ReadEntry]) -> Mapping[tuple[str, str], int]:
    """(message id, register) -> the PO line of its msgid, for reporting."""
    return {(e.text_id, e.register): e.line for e in entries}
