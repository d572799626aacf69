"""The PO format and the review rule without the catalogue: what an adapter for texts kept
elsewhere (a consultation in the database) uses. Here the store is a plain dict."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.terms import REGISTERS, Register
from bot.translations.importing import import_translations
from bot.translations.po import PoEntry, read_po, write_po
from bot.translations.review import Current, ImportProblem, Outcome, check_sources, decide

NOW = datetime(2026, 11, 27, tzinfo=UTC)
ENGLISH = {
    ("park.q_open", "standard"): "What would make the park better for you?",
    ("park.q_open", "easy"): "What would make the park better?",
    ("park.thanks", "standard"): "Thank you. {org} will read every answer.",
    ("park.thanks", "easy"): "Thank you. {org} will read your answer.",
}


def english(text_id: str, register: Register) -> str | None:
    return ENGLISH.get((text_id, register))


def entries(store: dict[str, Current]) -> list[PoEntry]:
    out = []
    for (text_id, register), source in ENGLISH.items():
        current = store.get(text_id)
        out.append(
            PoEntry(
                text_id,
                register,
                source,
                current.variant(register) if current else "",
                current.reviewed if current else False,
                ("A consultation question.",),
            )
        )
    return out


def test_an_adapter_over_a_dict_exports_reads_and_applies_the_review_rule() -> None:
    store = {
        "park.q_open": Current("Beth fyddai'n gwella'r parc i chi?", "Beth fyddai'n well?", True)
    }
    po = write_po(entries(store), language="cy", project="Park", header="Park", now=NOW)
    assert 'msgctxt "park.thanks|easy"' in po
    assert "#, python-brace-format" in po  # {org}: translation tools check it is kept
    every = "Thank you. {org} will read every answer."
    yours = "Thank you. {org} will read your answer."
    translated = po.replace(
        f'msgid "{every}"\nmsgstr ""',
        f'msgid "{every}"\nmsgstr "Diolch. Bydd {{org}} yn darllen pob ateb."',
    ).replace(
        f'msgid "{yours}"\nmsgstr ""',
        f'msgid "{yours}"\nmsgstr "Diolch. Bydd {{org}} yn darllen eich ateb."',
    )
    read = read_po(translated.encode())
    assert read.language == "cy" and not read.problems
    grouped, problems = check_sources(read.entries, english)
    assert problems == [] and set(grouped) == {"park.q_open", "park.thanks"}

    new = decide(store.get("park.thanks"), grouped["park.thanks"], reviewer=None)
    assert (new.changed, new.review) == (True, "draft")
    assert new.standard == "Diolch. Bydd {org} yn darllen pob ateb."
    unchanged = decide(store["park.q_open"], grouped["park.q_open"], reviewer=None)
    assert (unchanged.changed, unchanged.review) == (False, "keep")

    # The same file from a named reviewer: the new texts were written without the fuzzy flag
    # (a translation's first version is not a draft in the tool), so they are reviewed.
    reviewed = decide(store.get("park.thanks"), grouped["park.thanks"], reviewer="Ana Jones")
    assert reviewed.review == "reviewed"
    assert all(reviewed.variant(r) for r in REGISTERS)


def test_entries_of_unknown_messages_or_older_english_are_problems_with_their_lines() -> None:
    po = write_po(entries({}), language="so", project="Park", header="Park", now=NOW)
    po = po.replace("What would make the park better?", "What would make it better?")
    po = po.replace('msgctxt "park.thanks|easy"', 'msgctxt "park.bye|easy"')
    grouped, problems = check_sources(read_po(po.encode()).entries, english)
    lines = po.splitlines()
    assert sorted((p.text_id, p.line) for p in problems) == sorted(
        [
            ("park.q_open", lines.index('msgid "What would make it better?"') + 1),
            ("park.bye", lines.index('msgctxt "park.bye|easy"') + 2),
        ]
    )
    assert set(grouped) == {"park.q_open", "park.thanks"}


class DictStore:
    """A `TranslationStore` over a dict, as a consultation's adapter would be over its rows;
    its "lint" refuses a text that drops {org}."""

    def __init__(self, texts: dict[str, Current]) -> None:
        self.texts = texts
        self.kept: dict[str, tuple[str, str, str, str | None]] = {}

    def language_problem(self, language: str) -> str | None:
        return None if language == "cy" else f"no {language}"

    def english(self, text_id: str, register: Register) -> str | None:
        return english(text_id, register)

    def current(self, language: str, text_id: str) -> Current | None:
        return self.texts.get(text_id)

    def prepare(
        self,
        language: str,
        outcomes: Mapping[str, Outcome],
        reviewer: str | None,
        lines: Mapping[tuple[str, str], int],
    ) -> Change:
        problems = [
            ImportProblem("error", lines[(i, r)], i, r, "{org} dropped")
            for i, o in outcomes.items()
            for r in REGISTERS
            if "{org}" in (english(i, r) or "") and o.variant(r) and "{org}" not in o.variant(r)
        ]
        return Change(self, dict(outcomes), reviewer, problems)


@dataclass
class Change:
    store: DictStore
    outcomes: dict[str, Outcome]
    reviewer: str | None
    problems: list[ImportProblem]

    def commit(self) -> None:
        for text_id, o in self.outcomes.items():
            by = self.reviewer if o.review == "reviewed" else None
            self.store.kept[text_id] = (o.standard, o.easy, o.review, by)


def test_the_import_driver_over_a_store_of_its_own() -> None:
    store = DictStore({})
    po = write_po(entries({}), language="cy", project="Park", header="Park", now=NOW)
    good = po.replace(
        'better for you?"\nmsgstr ""', 'better for you?"\nmsgstr "Beth fyddai\'n gwella\'r parc?"'
    ).replace('park better?"\nmsgstr ""', 'park better?"\nmsgstr "Beth fyddai\'n well?"')
    result = import_translations(store, good.encode(), reviewed_by="Ana Jones")
    assert (result.changed, result.reviewed, result.written) == (
        ["park.q_open"],
        ["park.q_open"],
        True,
    )
    assert store.kept["park.q_open"][2:] == ("reviewed", "Ana Jones")

    bad = good.replace(
        'every answer."\nmsgstr ""', 'every answer."\nmsgstr "Diolch. Bydd y cyngor yn darllen."'
    )
    store.kept.clear()
    result = import_translations(store, bad.encode())
    assert result.refused and not result.written and store.kept == {}
    (problem,) = result.problems
    line = bad.splitlines().index('msgid "Thank you. {org} will read every answer."') + 1
    assert (problem.line, problem.text_id, problem.reason) == (line, "park.thanks", "{org} dropped")
