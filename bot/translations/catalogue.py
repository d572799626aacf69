"""The catalogue's side of PO export and import (`heard catalogue export-po / import-po`).

Export: one language's messages (all, or those one flow shows) as `PoEntry`s with the English
text, the translation, notes and where each is used. Import: a PO file checked entry by entry
(message id known, English unchanged since the export), the language's YAML edited line by line
(`bot.translations.yamlfile`), the edited catalogue linted with `heard lint`'s own checks, and the
file replaced only when nothing is wrong: all or nothing.

Review status is per message (docs/DESIGN.md, "Translators and review"): a message becomes
reviewed only through an import or a `review` with a named reviewer, recording the reviewer and a
fingerprint of the texts reviewed; a plain import that changes a text makes it a draft again.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.catalogue import Catalogue, CatalogueError, LanguageInfo, load_catalogue
from bot.catalogue.model import BASE_LANGUAGE, PLACEHOLDER, text_fingerprint
from bot.catalogue.words import words_dir
from bot.flowspec.problems import Problem
from bot.flowspec.texts import ENGINE_TEXT_IDS, NO, PREFER_NOT_TO_SAY, YES
from bot.lint.config import MAX_OPTION_CHARS, SMS_SEGMENTS_ERROR, rules_for
from bot.lint.questions import Question, read_questions
from bot.lint.runner import run_lint, shown_path
from bot.lint.sms_size import measure
from bot.terms import REGISTERS, Register
from bot.translations.importing import ImportResult, import_translations
from bot.translations.po import PoEntry, write_po
from bot.translations.review import Current, ImportProblem, Outcome
from bot.translations.yamlfile import EditError, Fields, edit_messages, index_messages

PROJECT = "Heard catalogue"
_ID_VALUE = re.compile(r"^\s*(?:-\s+)?[a-z_]+:\s*[\"']?([a-z0-9_.@]+)[\"']?\s*(?:#.*)?$")
_LOCATION = re.compile(r"^message (\S+) \[([a-z_]+)(?:/([a-z]+))?\]$")


# --- where each text is used ---------------------------------------------------------------


def flow_uses(flows_dir: Path, known: Iterable[str]) -> dict[str, list[tuple[str, int]]]:
    """Message id -> (flow file as shown, line) of every flow line that names it."""
    ids = set(known)
    uses: dict[str, list[tuple[str, int]]] = {}
    for path in sorted(flows_dir.glob("*.yaml")) if flows_dir.is_dir() else []:
        shown = shown_path(path)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = _ID_VALUE.match(line)
            if match and match.group(1) in ids:
                uses.setdefault(match.group(1), []).append((shown, number))
    return uses


def flow_text_ids(flows_dir: Path, flow: str, known: Sequence[str]) -> list[str]:
    """The message ids one flow shows: those it names, their channel wordings, and the
    choices the engine adds to its questions (yes / no, "prefer not to say")."""
    path = flows_dir / f"{flow}.yaml"
    if not re.fullmatch(r"[a-z0-9_]+", flow) or not path.is_file():
        raise CatalogueError(f"no flow {flow!r} in {shown_path(flows_dir)}")
    text = path.read_text(encoding="utf-8")
    named = {m.group(1) for m in map(_ID_VALUE.match, text.splitlines()) if m}
    if re.search(r"^\s*answer:\s*yes_no\b", text, re.MULTILINE):
        named |= {YES, NO}
    if re.search(r"^\s*skippable:\s*true\b", text, re.MULTILINE):
        named.add(PREFER_NOT_TO_SAY)
    return [i for i in known if i in named or i.split("@", 1)[0] in named]


# --- export ---------------------------------------------------------------------------------


def _english_notes(catalogue_dir: Path) -> dict[str, list[str]]:
    lines = (catalogue_dir / f"{BASE_LANGUAGE}.yaml").read_text(encoding="utf-8").splitlines()
    _, blocks = index_messages([line + "\n" for line in lines])
    return {
        text_id: [c.strip("- ").strip() for c in block.comments if c.strip("- ").strip()]
        for text_id, block in blocks.items()
    }


def _limits(
    catalogue: Catalogue,
    language: str,
    text_id: str,
    register: Register,
    questions: Mapping[str, Sequence[Question]],
    options: set[str],
) -> list[str]:
    english = measure(catalogue, BASE_LANGUAGE, register, text_id, questions)
    segments = english.rendering.segments
    with_choices = " with its numbered choices" if english.question else ""
    notes = [
        f"SMS: at most {SMS_SEGMENTS_ERROR} segments{with_choices}, 1 is best: 160 characters "
        "each (153 when split), 70 (67) if any letter is outside GSM-7. "
        f"English: {segments} segment{'s' if segments != 1 else ''}."
    ]
    limits = rules_for(language).limits(register)  # the translation's language's own limits
    if register == "easy":
        notes.append(
            f"Easy read: at most {limits.sentence_words} words a sentence, "
            f"{limits.message_sentences} sentences and {limits.message_words} words in all; one "
            "idea a sentence; numbers as digits; no abbreviations; say things positively."
        )
    else:
        notes.append(f"Plain language: at most {limits.sentence_words} words a sentence.")
    if text_id in options:
        notes.append(f"A choice label: at most {MAX_OPTION_CHARS} characters.")
    return notes


def catalogue_entries(
    catalogue: Catalogue,
    language: str,
    catalogue_dir: Path,
    flows_dir: Path,
    flow: str | None = None,
) -> list[PoEntry]:
    english = catalogue.languages[BASE_LANGUAGE]
    target = catalogue.languages[language]
    ids = list(english.messages)
    if flow is not None:
        ids = flow_text_ids(flows_dir, flow, ids)
    notes = _english_notes(catalogue_dir)
    uses = flow_uses(flows_dir, ids)
    questions = read_questions(flows_dir, Path(shown_path(flows_dir)))
    options = {o for asked in questions.values() for q in asked for o in q.option_ids}
    engine_ids = set(ENGINE_TEXT_IDS)
    entries: list[PoEntry] = []
    for text_id in ids:
        source_entry = english.messages[text_id]
        entry = target.messages.get(text_id)
        for register in REGISTERS:
            source = source_entry.variant(register)
            if not source:
                continue  # nothing to translate (the lint reports it in English)
            about = list(notes.get(text_id, []))
            if "@" in text_id:
                about.append(f"The wording on {text_id.split('@', 1)[1]}, not an SMS.")
            if text_id.split("@", 1)[0] in engine_ids:
                about.append("Sent by Heard itself, in any conversation.")
            about.extend(_limits(catalogue, language, text_id, register, questions, options))
            names = sorted(set(PLACEHOLDER.findall(source)))
            if names:
                kept = ", ".join("{" + n + "}" for n in names)
                about.append(f"Keep {kept} exactly as written: filled in when sent.")
            entries.append(
                PoEntry(
                    text_id,
                    register,
                    source,
                    entry.variant(register) if entry else "",
                    entry.reviewed if entry else False,
                    tuple(about),
                    tuple((file, line) for file, line in uses.get(text_id, [])),
                )
            )
    return entries


def export_po(
    catalogue_dir: Path, flows_dir: Path, language: str, now: datetime, flow: str | None = None
) -> str:
    catalogue = load_catalogue(catalogue_dir)
    info = _translated_language(catalogue, language)
    entries = catalogue_entries(catalogue, language, catalogue_dir, flows_dir, flow)
    scope = f"flow {flow}" if flow else "all messages"
    header = (
        f"Heard: {info.english_name} ({info.code}) translations, {scope}.\n"
        "msgctxt is '<message id>|<register>' (standard, or easy for easy read); msgid is the\n"
        "English. A translation marked fuzzy is a draft; clear the flag on texts you have\n"
        'reviewed, and import with: heard catalogue import-po FILE --reviewed-by "Your name"\n'
        "Keep every {placeholder}. An empty msgstr leaves the catalogue's text as it is."
    )
    return write_po(entries, language=language, project=PROJECT, header=header, now=now)


def _translated_language(catalogue: Catalogue, language: str) -> LanguageInfo:
    if language == BASE_LANGUAGE:
        raise CatalogueError(f"{language} is the source language: translations are made from it")
    if language not in catalogue.languages:
        codes = ", ".join(c for c in catalogue.codes if c != BASE_LANGUAGE)
        raise CatalogueError(f"no catalogue language {language!r} (one of {codes})")
    return catalogue.languages[language]


# --- import ---------------------------------------------------------------------------------


def _reviewed_fields(standard: str, easy: str, reviewer: str) -> dict[str, str | None]:
    return {
        "status": "reviewed",
        "reviewed_by": reviewer,
        "reviewed_text": text_fingerprint(standard, easy),
    }


def _draft_fields(info: LanguageInfo) -> dict[str, str | None]:
    status = None if info.review_status == "draft" else "draft"
    return {"status": status, "reviewed_by": None, "reviewed_text": None}


def _fields(
    info: LanguageInfo, outcome: Outcome, reviewer: str | None, new: bool
) -> dict[str, str | None]:
    """The YAML fields one message's outcome sets (empty: nothing to write)."""
    fields: dict[str, str | None] = {}
    if outcome.changed:
        fields.update({r: outcome.variant(r) for r in REGISTERS if new or outcome.variant(r)})
    if outcome.review == "reviewed" and reviewer:
        fields.update(_reviewed_fields(outcome.standard, outcome.easy, reviewer))
    elif outcome.review == "draft":
        fields.update(_draft_fields(info))
    return fields


@dataclass
class _YamlChange:
    """An edited catalogue file, linted, not yet written."""

    path: Path
    text: str
    problems: list[ImportProblem]

    def commit(self) -> None:
        _replace(self.path, self.text)


class CatalogueStore:
    """`TranslationStore` over `flows/catalogue/<lang>.yaml` (bot.translations.importing)."""

    def __init__(self, catalogue_dir: Path, flows_dir: Path) -> None:
        self.catalogue_dir = catalogue_dir
        self.flows_dir = flows_dir
        self.catalogue = load_catalogue(catalogue_dir)
        self._english = self.catalogue.languages[BASE_LANGUAGE]

    def language_problem(self, language: str) -> str | None:
        try:
            _translated_language(self.catalogue, language)
        except CatalogueError as exc:
            return str(exc)
        return None

    def english(self, text_id: str, register: Register) -> str | None:
        base = self._english.messages.get(text_id)
        return base.variant(register) if base else None

    def current(self, language: str, text_id: str) -> Current | None:
        entry = self.catalogue.languages[language].messages.get(text_id)
        return Current(entry.standard, entry.easy, entry.reviewed) if entry else None

    def prepare(
        self,
        language: str,
        outcomes: Mapping[str, Outcome],
        reviewer: str | None,
        lines: Mapping[tuple[str, str], int],
    ) -> _YamlChange | None:
        info = self.catalogue.languages[language]
        edits: dict[str, Fields] = {}
        for text_id, outcome in outcomes.items():
            fields = _fields(info, outcome, reviewer, text_id not in info.messages)
            if fields:
                edits[text_id] = fields
        if not edits:
            return None
        path = Path(info.source)
        order = list(self._english.messages)
        try:
            edited = edit_messages(path.read_text(encoding="utf-8"), edits, order)
        except EditError as exc:
            problem = ImportProblem("error", 0, "", "", f"{shown_path(path)}: {exc}")
            return _YamlChange(path, "", [problem])
        touched = {text_id for text_id, outcome in outcomes.items() if outcome.changed}
        problems: list[ImportProblem] = []
        if touched:  # a change of review status alone leaves every text as the lint saw it
            problems = _lint_import(
                self.catalogue_dir, self.flows_dir, path, edited, lines, touched
            )
        return _YamlChange(path, edited, problems)


def import_po(
    catalogue_dir: Path,
    flows_dir: Path,
    data: bytes,
    *,
    reviewed_by: str | None = None,
    language: str | None = None,
    write: bool = True,
) -> ImportResult:
    """Checks, lints and (with `write`, when nothing is wrong) applies one PO file."""
    store = CatalogueStore(catalogue_dir, flows_dir)
    return import_translations(store, data, reviewed_by=reviewed_by, language=language, write=write)


def _problem_key(problem: Problem) -> tuple[str, str, str, str]:
    """A problem as compared before and after an import: where, which rule and how bad, not
    the wording, which carries counts (a label changed elsewhere moves "93 characters")."""
    return (Path(problem.file).name, problem.location, problem.rule, problem.severity)


def _lint_import(
    catalogue_dir: Path,
    flows_dir: Path,
    path: Path,
    edited: str,
    lines: Mapping[tuple[str, str], int],
    touched: set[str],
) -> list[ImportProblem]:
    """`heard lint` on a copy of the flows and catalogue with the edited file in place: the
    problems it finds that the catalogue did not have, and every error at a changed message."""
    before = {_problem_key(p) for p in run_lint(flows_dir, catalogue_dir).problems}
    with tempfile.TemporaryDirectory(prefix="heard-po-") as tmp:
        root = Path(tmp)
        flows_copy = root / "flows"
        shutil.copytree(flows_dir, flows_copy)
        if catalogue_dir.resolve().parent == flows_dir.resolve():
            catalogue_copy = flows_copy / catalogue_dir.name
        else:
            catalogue_copy = root / "catalogue" / catalogue_dir.name
            shutil.copytree(catalogue_dir, catalogue_copy)
            if words_dir(catalogue_dir).is_dir():
                shutil.copytree(words_dir(catalogue_dir), words_dir(catalogue_copy))
        (catalogue_copy / path.name).write_text(edited, encoding="utf-8")
        after = run_lint(flows_copy, catalogue_copy).problems
    found: list[ImportProblem] = []
    for problem in after:
        if problem.severity == "info":
            continue
        match = _LOCATION.match(problem.location)
        text_id, register = (match.group(1), match.group(3) or "") if match else ("", "")
        new = _problem_key(problem) not in before
        at_change = text_id in touched and Path(problem.file).name == path.name
        if not (new or (at_change and problem.severity == "error")):
            continue
        line = lines.get((text_id, register or "standard"), 0) if text_id else 0
        if line == 0 and text_id:
            line = lines.get((text_id, "easy"), 0)
        where = "" if match else f"{problem.file} {problem.location}".strip() + ": "
        found.append(
            ImportProblem(
                problem.severity,
                line,
                text_id,
                register,
                f"{where}[{problem.rule}] {problem.message}",
            )
        )
    return found


def _replace(path: Path, text: str) -> None:
    """Writes `text` to `path` in one step (a temporary file beside it, then a rename)."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- review without an import, and the status report ------------------------------------


def mark_reviewed(
    catalogue_dir: Path, language: str, text_ids: Sequence[str], reviewed_by: str
) -> list[str]:
    """Marks messages reviewed by a named reviewer without changing their text (the edit a
    reviewer makes after reading them in the YAML or the simulator). Returns the ids marked;
    raises `CatalogueError` for an unknown id, an empty text or no name."""
    reviewer = reviewed_by.strip()
    if not reviewer or "\n" in reviewer:
        raise CatalogueError("--reviewed-by needs a name")
    catalogue = load_catalogue(catalogue_dir)
    if language not in catalogue.languages:
        raise CatalogueError(f"no catalogue language {language!r}")
    info = catalogue.languages[language]  # English too: its easy read is reviewed as well
    edits: dict[str, Fields] = {}
    for text_id in text_ids:
        entry = info.messages.get(text_id)
        if entry is None:
            raise CatalogueError(f"no message {text_id!r} in {language}")
        if not (entry.standard.strip() and entry.easy.strip()):
            raise CatalogueError(f"message {text_id!r} has an empty register: translate it first")
        if not entry.reviewed:
            edits[text_id] = _reviewed_fields(entry.standard, entry.easy, reviewer)
    if edits:
        path = Path(info.source)
        english = list(catalogue.languages[BASE_LANGUAGE].messages)
        _replace(path, edit_messages(path.read_text(encoding="utf-8"), edits, english))
    return list(edits)


@dataclass(frozen=True)
class ReviewCounts:
    language: str
    english_name: str
    reviewed: int
    draft: int
    missing: int  # English messages the language has no entry for
    reviewers: tuple[str, ...]


def review_counts(catalogue: Catalogue) -> list[ReviewCounts]:
    english = catalogue.languages[BASE_LANGUAGE].messages
    counts: list[ReviewCounts] = []
    for info in catalogue.languages.values():
        reviewed = [e for e in info.messages.values() if e.reviewed]
        counts.append(
            ReviewCounts(
                info.code,
                info.english_name,
                len(reviewed),
                len(info.messages) - len(reviewed),
                sum(1 for i in english if i not in info.messages),
                tuple(sorted({str(e.reviewed_by) for e in reviewed})),
            )
        )
    return counts
