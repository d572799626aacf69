"""Per-language data beside the catalogue: every catalogue language has its safeguarding phrases
(SG-01) and its word lists (LW-01), and a new language without them fails `heard lint`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.catalogue import load_catalogue
from bot.catalogue.words import REQUIRED, load_words, read_words_file
from bot.engine.events import Choice
from bot.engine.replies import Question, Vocabulary, understand
from bot.lint.runner import lint_command, run_lint
from bot.lint.words import words_problems
from bot.nlu.keywords import KINDS, load_phrases

REPOSITORY = Path(__file__).resolve().parents[2]
FLOWS = REPOSITORY / "flows"
CATALOGUE = load_catalogue(FLOWS / "catalogue")
LANGUAGES = CATALOGUE.codes  # every catalogue language, never a fixed list


def lw01(directory: Path, languages: list[str]) -> list[str]:
    found = words_problems(directory, languages, lambda p: p.name)
    return sorted(f"{p.file}:{p.location}: {p.message}" for p in found)


def missing_data(flows: Path, language: str) -> list[str]:
    """What one catalogue language lacks of its per-language files, read from `flows`."""
    missing: list[str] = []
    words = flows / "words" / f"{language}.yaml"
    lists = read_words_file(words) if words.is_file() else {}
    missing += [f"words/{language}.yaml: {name}" for name in REQUIRED if not lists.get(name)]
    if not load_catalogue(flows / "catalogue").languages[language].words.connectors:
        missing.append(f"catalogue {language}: no connectors")
    phrases = load_phrases(flows / "safeguarding").get(language, {})
    missing += [f"safeguarding/{language}.yaml: {kind}" for kind in KINDS if not phrases.get(kind)]
    return missing


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_language_has_its_files(language: str) -> None:
    assert missing_data(FLOWS, language) == []


def test_no_word_lists_for_a_language_the_catalogue_lacks() -> None:
    assert set(load_words(FLOWS / "words")) == set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_multiple_answer_joined_in_each_language_is_understood(language: str) -> None:
    choices = tuple(Choice(n, f"o{n}", f"option {n}") for n in (1, 2, 3))
    question = Question("multi", choices)
    vocab = Vocabulary.of(CATALOGUE, language)
    for connector in sorted(CATALOGUE.languages[language].words.connectors):
        assert understand(f"1 {connector} 3", question, vocab) == "o1,o3", connector


@pytest.fixture
def words(tmp_path: Path) -> Path:
    shutil.copytree(FLOWS / "words", tmp_path / "words")
    return tmp_path / "words"


def test_a_language_without_a_file_is_an_error(words: Path) -> None:
    (words / "cy.yaml").unlink()
    assert lw01(words, ["en", "cy"]) == ["cy.yaml:: no word lists for cy"]


def test_an_empty_or_unknown_list_is_an_error(words: Path) -> None:
    (words / "pl.yaml").write_text(
        "language: pl\neveryday: [tak]\nreplies: []\nbogus: [x]\n", encoding="utf-8"
    )
    assert lw01(words, ["pl"]) == [
        "pl.yaml:bogus: unknown list `bogus`: use ('everyday', 'replies', 'connectors', "
        "'letters', 'meaning_letters', 'easy_read')",
        "pl.yaml:connectors: no `connectors` words for pl",
        "pl.yaml:replies: no `replies` words for pl",
    ]


def test_a_misshapen_easy_read_section_is_an_error(words: Path) -> None:
    (words / "cy.yaml").write_text(
        "language: cy\neveryday: [ie]\nreplies: [ie]\nconnectors: [a]\n"
        "easy_read: {conjunctions: [a], joiners: [x]}\n",
        encoding="utf-8",
    )
    assert lw01(words, ["cy"]) == [
        "cy.yaml:: unknown easy-read list `joiners`: use ('conjunctions', 'acronyms', "
        "'abbreviations', 'number_words', 'negations')"
    ]


def test_an_unreadable_file_is_an_error(words: Path) -> None:
    (words / "ro.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    assert lw01(words, ["ro"]) == [
        "ro.yaml:: expected a mapping of list names to lists of words"
    ]


def test_a_tenth_language_without_its_files_fails_lint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A copy of the shipped content with one more catalogue language (Portuguese, the
    English texts under a new code) and nothing else: lint fails naming both files."""
    flows = tmp_path / "flows"
    shutil.copytree(FLOWS, flows)
    english = (flows / "catalogue" / "en.yaml").read_text(encoding="utf-8")
    tenth = english.replace("language: en\n", "language: pt\n", 1)
    assert tenth != english
    (flows / "catalogue" / "pt.yaml").write_text(tenth, encoding="utf-8")

    report = run_lint(flows, flows / "catalogue")
    missing = sorted(
        (p.rule, p.message) for p in report.problems if p.rule in ("SG-01", "LW-01")
    )
    assert missing == [
        ("LW-01", "no word lists for pt"),
        ("SG-01", "no safeguarding phrases for pt"),
    ]
    assert lint_command(flows, flows / "catalogue") == 1
    capsys.readouterr()
    # The tests above take their languages from the catalogue: with this one `pt` is among
    # them, and the per-language test finds everything missing.
    assert "pt" in load_catalogue(flows / "catalogue").codes
    assert missing_data(flows, "pt") == [
        "words/pt.yaml: everyday",
        "words/pt.yaml: replies",
        "words/pt.yaml: connectors",
        "catalogue pt: no connectors",
        "safeguarding/pt.yaml: immediate_danger",
        "safeguarding/pt.yaml: risk_to_self",
        "safeguarding/pt.yaml: harm_from_others",
        "safeguarding/pt.yaml: help_request",
    ]
    assert missing_data(flows, "en") == []
