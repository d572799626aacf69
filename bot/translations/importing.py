"""One PO import, whatever keeps the texts: read, check, decide, let the store prepare and lint
its change, and commit only when nothing is wrong (all or nothing).

A store (`TranslationStore`) is the small adapter: the catalogue's YAML
(`bot.translations.catalogue.CatalogueStore`) or a consultation kept in the database. It says
which languages it translates, what the English of each entry is, what a message is now, and
turns the outcomes of the review rule (`bot.translations.review.decide`) into a prepared change
with the lint's problems; `commit` writes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from bot.terms import Register
from bot.translations.po import PoReadError, read_po
from bot.translations.review import (
    Current,
    ImportProblem,
    Outcome,
    check_sources,
    decide,
    lines_of,
)


class PreparedChange(Protocol):
    """A store's change, made but not yet kept: the problems found (the lint), and `commit`."""

    @property
    def problems(self) -> list[ImportProblem]: ...

    def commit(self) -> None: ...


class TranslationStore(Protocol):
    def language_problem(self, language: str) -> str | None:
        """Why `language` cannot be imported into this store (None: it can)."""
        ...

    def english(self, text_id: str, register: Register) -> str | None:
        """The English of one entry now; None for a message the store does not have."""
        ...

    def current(self, language: str, text_id: str) -> Current | None: ...

    def prepare(
        self,
        language: str,
        outcomes: Mapping[str, Outcome],
        reviewer: str | None,
        lines: Mapping[tuple[str, str], int],
    ) -> PreparedChange | None:
        """The change `outcomes` make (None: nothing to change), linted; `lines` maps
        (message id, register) to the PO line a problem is reported at."""
        ...


@dataclass
class ImportResult:
    language: str = ""
    problems: list[ImportProblem] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # message ids whose text changed
    reviewed: list[str] = field(default_factory=list)  # message ids now reviewed
    drafted: list[str] = field(default_factory=list)  # message ids reviewed before, now draft
    written: bool = False

    @property
    def refused(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def refuse(self, reason: str, line: int = 0) -> ImportResult:
        self.problems.append(ImportProblem("error", line, "", "", reason))
        return self


def import_translations(
    store: TranslationStore,
    data: bytes,
    *,
    reviewed_by: str | None = None,
    language: str | None = None,
    write: bool = True,
) -> ImportResult:
    """Checks one PO file against `store`, and (with `write`, when nothing is wrong) keeps it."""
    result = ImportResult()
    if reviewed_by is not None and (not reviewed_by.strip() or "\n" in reviewed_by):
        return result.refuse("--reviewed-by needs a name")
    reviewer = reviewed_by.strip() if reviewed_by else None
    try:
        po = read_po(data)
    except PoReadError as exc:
        return result.refuse(exc.reason, exc.line)
    result.problems += [ImportProblem("error", line, "", "", why) for line, why in po.problems]
    if language and po.language and language != po.language:
        return result.refuse(f"the file is in {po.language!r}, not {language!r}")
    code = language or po.language
    if not code:
        return result.refuse("no Language header: give --language")
    result.language = code
    unusable = store.language_problem(code)
    if unusable:
        return result.refuse(unusable)
    grouped, problems = check_sources(po.entries, store.english)
    result.problems += problems
    if result.refused:
        return result
    outcomes: dict[str, Outcome] = {}
    for text_id, read in grouped.items():
        outcome = decide(store.current(code, text_id), read, reviewer)
        if outcome.changed or outcome.review != "keep":
            outcomes[text_id] = outcome
        if outcome.changed:
            result.changed.append(text_id)
        if outcome.review == "reviewed":
            result.reviewed.append(text_id)
        elif outcome.review == "draft" and outcome.was_reviewed:
            result.drafted.append(text_id)
    if not outcomes:
        return result
    prepared = store.prepare(code, outcomes, reviewer, lines_of(po.entries))
    if prepared is None:
        return result
    result.problems += prepared.problems
    if result.refused or not write:
        return result
    prepared.commit()
    result.written = True
    return result
