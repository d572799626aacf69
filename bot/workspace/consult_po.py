"""A consultation kept in the database, as a `TranslationStore` (bot.translations.importing):
its latest version's texts exported as a PO file, and a translated file imported into it.

Entries are keyed by a text's place, not by its stored text id (which names the version):
`title`, `q<n>` (question n), `q<n>.<value>` (a choice of question n), so a file exported from
one version imports into the next while the English is unchanged. The file's header
`X-Heard-Consultation: <id>` says which consultation it belongs to; `heard catalogue
import-po` and the workspace's Translations page route such a file here.

An import is the workspace editor's edit (bot.workspace.consult.update): the texts it changes
are checked with the editor's own checks (the flow schema and semantic checks, easy read, SMS
size, choice labels, parity) before and after, and refused on any new problem or any error at
a changed text; an import into a live consultation makes a new version, opened at once when it
passes, so people mid-way keep the version they began. Review status is kept with the version
(bot.workspace.consult_reviews).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from bot.catalogue import Catalogue
from bot.catalogue.model import BASE_LANGUAGE, PLACEHOLDER, text_fingerprint
from bot.flowspec.model import FlowSet
from bot.lint.config import MAX_OPTION_CHARS, rules_for
from bot.terms import REGISTERS, Register
from bot.translations.importing import ImportResult, import_translations
from bot.translations.po import PoEntry, write_po
from bot.translations.review import Current, ImportProblem, Outcome
from bot.workspace import consult, consult_reviews
from bot.workspace.consult import ConsultationIn, Issue
from storage.records import ConsultationRecord
from storage.unit_of_work import UnitOfWork

HEADER = "X-Heard-Consultation"
PROJECT = "Heard consultation"
_HEADER_LINE = re.compile(r'^"X-Heard-Consultation:\s*([^"\\]*?)\s*(?:\\n)?"\s*$')


class ConsultationPoError(ValueError):
    """No such consultation, or a language it cannot be exported in."""


def consultation_of(data: bytes) -> str | None:
    """The consultation id a PO file's header names; None for a catalogue file."""
    for raw in data.decode("utf-8", "replace").splitlines()[:60]:
        found = _HEADER_LINE.match(raw.strip())
        if found:
            return found.group(1) or None
    return None


def find(uow: UnitOfWork, key_or_id: str) -> ConsultationRecord | None:
    """A consultation by its id or its keyword (any case)."""
    wanted = consult.folded_keyword(key_or_id)
    found = uow.consultations.get(key_or_id) or uow.consultations.get(wanted)
    if found is not None:
        return found
    return next((r for r in uow.consultations.all() if r.keyword == wanted), None)


@dataclass(frozen=True)
class Text:
    key: str  # title, q<n>, q<n>.<value>
    name: str  # as the editor's problems name it: Title, Question n, Question n, choice v
    wordings: dict[str, dict[str, str]]  # language -> {standard, easy}
    option: bool


def texts_of(draft: ConsultationIn) -> list[Text]:
    """A draft's texts in the order a translator reads them."""

    def plain(by_lang: Mapping[str, Any]) -> dict[str, dict[str, str]]:
        return {c: {"standard": w.standard, "easy": w.easy} for c, w in by_lang.items()}

    found = [Text("title", "Title", plain(draft.title), False)]
    for n, question in enumerate(draft.questions, start=1):
        found.append(Text(f"q{n}", f"Question {n}", plain(question.text), False))
        for choice in question.choices:
            found.append(
                Text(f"q{n}.{choice.value}", f"Question {n}, choice {choice.value}",
                     plain(choice.text), True)
            )
    return found


def _with_texts(draft: ConsultationIn, language: str, new: Mapping[str, Outcome]) -> ConsultationIn:
    """`draft` with `language`'s texts of `new` (by key) replaced."""
    data = draft.model_dump()

    def put(by_lang: dict[str, Any], key: str) -> None:
        outcome = new.get(key)
        if outcome is not None and outcome.changed:
            by_lang[language] = {"standard": outcome.standard, "easy": outcome.easy}

    put(data["title"], "title")
    for n, question in enumerate(data["questions"], start=1):
        put(question["text"], f"q{n}")
        for choice in question["choices"]:
            put(choice["text"], f"q{n}.{choice['value']}")
    return ConsultationIn.model_validate(data)


def is_reviewed(reviews: consult_reviews.Reviews, language: str, text: Text) -> bool:
    review = reviews.get(language, {}).get(text.key)
    wording = text.wordings.get(language)
    if not review or not wording or not review.get("by"):
        return False
    return review.get("text") == text_fingerprint(wording["standard"], wording["easy"])


@dataclass
class Loaded:
    """A consultation's latest version, as the editor reads it."""

    record: ConsultationRecord
    draft: ConsultationIn
    reviews: consult_reviews.Reviews
    texts: list[Text] = field(default_factory=list)


def load(uow: UnitOfWork, record: ConsultationRecord) -> Loaded:
    stored = uow.consultations.version(record.consultation_id, record.latest_version)
    draft = consult.from_document(stored.document) if stored is not None else None
    if stored is None or draft is None:
        raise ConsultationPoError(f"consultation {record.consultation_id}: cannot be read")
    draft = draft.model_copy(
        update={"keyword": record.keyword, "opens_at": record.opens_at,
                "closes_at": record.closes_at}
    )
    return Loaded(record, draft, consult_reviews.reviews_of(stored.document), texts_of(draft))


# --- export ---------------------------------------------------------------------------------


def _notes(text: Text, language: str, register: Register, source: str) -> tuple[str, ...]:
    limits = rules_for(language).limits(register)
    notes = [text.name + "."]
    if register == "easy":
        notes.append(
            f"Easy read: at most {limits.sentence_words} words a sentence, "
            f"{limits.message_sentences} sentences and {limits.message_words} words in all."
        )
    else:
        notes.append(f"Plain language: at most {limits.sentence_words} words a sentence.")
    if text.option:
        notes.append(f"A choice label: at most {MAX_OPTION_CHARS} characters.")
    else:
        notes.append("Sent by SMS: keep it short (1 segment is best, at most 3).")
    names = sorted(set(PLACEHOLDER.findall(source)))
    if names:
        notes.append("Keep " + ", ".join("{" + n + "}" for n in names) + " exactly as written.")
    return tuple(notes)


def entries(loaded: Loaded, language: str) -> list[PoEntry]:
    found: list[PoEntry] = []
    for text in loaded.texts:
        english = text.wordings.get(BASE_LANGUAGE, {})
        wording = text.wordings.get(language, {})
        reviewed = is_reviewed(loaded.reviews, language, text)
        for register in REGISTERS:
            source = english.get(register, "")
            if not source:
                continue
            found.append(
                PoEntry(text.key, register, source, wording.get(register, ""), reviewed,
                        _notes(text, language, register, source))
            )
    return found


def _language_problem(catalogue: Catalogue, language: str) -> str | None:
    if language == BASE_LANGUAGE:
        return f"{language} is the source language: translations are made from it"
    if language not in catalogue.languages:
        codes = ", ".join(c for c in catalogue.codes if c != BASE_LANGUAGE)
        return f"no catalogue language {language!r} (one of {codes})"
    return None


def export_po(loaded: Loaded, catalogue: Catalogue, language: str, now: datetime) -> str:
    problem = _language_problem(catalogue, language)
    if problem:
        raise ConsultationPoError(problem)
    cid = loaded.record.consultation_id
    header = (
        f"Heard: consultation {cid} (keyword {loaded.record.keyword.upper()}), version "
        f"{loaded.record.latest_version}, {language} translations.\n"
        "msgctxt is '<text>|<register>': title, q<n> (question n) or q<n>.<choice>; standard,\n"
        "or easy for easy read. msgid is the English. A translation marked fuzzy is a draft;\n"
        "clear the flag on texts you have reviewed. Import in the workspace (Translations), or\n"
        'with: heard catalogue import-po FILE --reviewed-by "Your name"\n'
        "An empty msgstr leaves the text as it is."
    )
    text = write_po(entries(loaded, language), language=language, project=PROJECT,
                    header=header, now=now)
    return _with_header(text, f"{HEADER}: {cid}")


def _with_header(text: str, header: str) -> str:
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.startswith('"Language: '):
            lines.insert(index + 1, f'"{header}\\n"')
            break
    return "\n".join(lines)


# --- import ---------------------------------------------------------------------------------


def _key(issue: Issue) -> tuple[str, str | None, str | None, str, str]:
    return (issue.where, issue.language, issue.register, issue.rule, issue.severity)


@dataclass
class _Edit:
    """A consultation's edit made by an import: linted, stored by `commit` (the caller's unit
    of work commits it)."""

    store: ConsultationStore
    draft: ConsultationIn
    reviews: consult_reviews.Reviews
    problems: list[ImportProblem]

    def commit(self) -> None:
        s = self.store
        consult.update(
            s.uow, s.loaded.record.consultation_id, self.draft, s.by, s.at, s.flows,
            s.catalogue, reviews=self.reviews,
        )


class ConsultationStore:
    """`TranslationStore` over a consultation's latest version."""

    def __init__(
        self,
        uow: UnitOfWork,
        record: ConsultationRecord,
        flows: FlowSet,
        catalogue: Catalogue,
        *,
        by: str,
        at: datetime,
    ) -> None:
        self.uow = uow
        self.loaded = load(uow, record)
        self.flows = flows
        self.catalogue = catalogue
        self.by = by
        self.at = at
        self._texts = {t.key: t for t in self.loaded.texts}

    def language_problem(self, language: str) -> str | None:
        return _language_problem(self.catalogue, language)

    def english(self, text_id: str, register: Register) -> str | None:
        text = self._texts.get(text_id)
        return text.wordings.get(BASE_LANGUAGE, {}).get(register, "") if text else None

    def current(self, language: str, text_id: str) -> Current | None:
        text = self._texts.get(text_id)
        wording = text.wordings.get(language) if text else None
        if text is None or not wording or not (wording["standard"] or wording["easy"]):
            return None
        reviewed = is_reviewed(self.loaded.reviews, language, text)
        return Current(wording["standard"], wording["easy"], reviewed)

    def prepare(
        self,
        language: str,
        outcomes: Mapping[str, Outcome],
        reviewer: str | None,
        lines: Mapping[tuple[str, str], int],
    ) -> _Edit | None:
        loaded = self.loaded
        try:
            draft = _with_texts(loaded.draft, language, outcomes)
        except ValidationError as exc:  # e.g. a text longer than the editor takes
            problem = ImportProblem("error", 0, "", "", f"not a text the editor takes: {exc}")
            return _Edit(self, loaded.draft, loaded.reviews, [problem])
        reviews = {lang: dict(by_key) for lang, by_key in loaded.reviews.items()}
        mine = reviews.setdefault(language, {})
        for key, outcome in outcomes.items():
            if outcome.review == "reviewed" and reviewer:
                mine[key] = {"by": reviewer,
                             "text": text_fingerprint(outcome.standard, outcome.easy)}
            elif outcome.review == "draft":
                mine.pop(key, None)
        problems: list[ImportProblem] = []
        touched = {k for k, o in outcomes.items() if o.changed}
        if touched:  # a change of review status alone leaves every text as it was checked
            problems = self._lint(draft, language, touched, lines)
        return _Edit(self, draft, reviews, problems)

    def _lint(
        self,
        draft: ConsultationIn,
        language: str,
        touched: set[str],
        lines: Mapping[tuple[str, str], int],
    ) -> list[ImportProblem]:
        """The editor's checks after the import: problems the version did not have before,
        and every error at a changed text of this language."""
        record = self.loaded.record
        cid, version = record.consultation_id, record.latest_version

        def checked(d: ConsultationIn) -> list[Issue]:
            return consult.check(d, cid, version, self.flows, self.catalogue)

        before = {_key(i) for i in checked(self.loaded.draft)}
        keys = {t.name: t.key for t in self.loaded.texts}
        found: list[ImportProblem] = []
        for issue in checked(draft):
            if issue.severity == "info":
                continue
            key = keys.get(issue.where, "")
            at_change = key in touched and issue.language == language
            if _key(issue) in before and not (at_change and issue.severity == "error"):
                continue
            register = issue.register or ""
            line = lines.get((key, register or "standard"), 0) or lines.get((key, "easy"), 0)
            reason = f"{issue.where}: [{issue.rule}] {issue.reason}"
            if issue.language and issue.language != language:
                reason = f"{issue.where} ({issue.language}): [{issue.rule}] {issue.reason}"
            found.append(ImportProblem(issue.severity, line, key, register, reason))
        return found


def import_po(
    uow: UnitOfWork,
    record: ConsultationRecord,
    flows: FlowSet,
    catalogue: Catalogue,
    data: bytes,
    *,
    by: str,
    at: datetime,
    reviewed_by: str | None = None,
    language: str | None = None,
    write: bool = True,
) -> ImportResult:
    """Checks and (with `write`, nothing wrong) applies one PO file to `record`'s latest
    version, in `uow` (the caller commits)."""
    store = ConsultationStore(uow, record, flows, catalogue, by=by, at=at)
    return import_translations(
        store, data, reviewed_by=reviewed_by, language=language, write=write
    )


@dataclass(frozen=True)
class LanguageCounts:
    language: str
    reviewed: int
    draft: int
    missing: int  # texts with no translation in either register


def review_counts(loaded: Loaded, catalogue: Catalogue) -> list[LanguageCounts]:
    counts: list[LanguageCounts] = []
    for code in catalogue.codes:
        if code == BASE_LANGUAGE:
            continue
        reviewed = draft = missing = 0
        for text in loaded.texts:
            wording = text.wordings.get(code)
            if not wording or not (wording["standard"] or wording["easy"]):
                missing += 1
            elif is_reviewed(loaded.reviews, code, text):
                reviewed += 1
            else:
                draft += 1
        counts.append(LanguageCounts(code, reviewed, draft, missing))
    return counts
