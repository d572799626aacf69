"""Each lint rule fires on the fixture message made to break it, and not on the clean fixture.

`fixtures/bad` names every message after the rule it breaks; `fixtures/good` follows every rule.
Flow-validator findings (FLOW-*) are left out: these fixtures test the catalogue rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.flowspec.problems import Problem
from bot.lint.report import LintReport
from bot.lint.runner import run_lint

FIXTURES = Path(__file__).parent / "fixtures"


def lint(name: str) -> LintReport:
    return run_lint(FIXTURES / name, FIXTURES / name / "catalogue")


@pytest.fixture(scope="module")
def bad() -> list[Problem]:
    return [p for p in lint("bad").problems if not p.rule.startswith("FLOW-")]


@pytest.fixture(scope="module")
def good() -> list[Problem]:
    return [p for p in lint("good").problems if not p.rule.startswith("FLOW-")]


FIRES = [
    # (rule, severity, file name, location)
    ("ER-01", "error", "en.yaml", "message er01.long [en/easy]"),
    ("ER-01", "error", "en.yaml", "message er01.long [en/standard]"),
    ("ER-02", "warning", "en.yaml", "message er02.many [en/easy]"),
    ("ER-03", "warning", "en.yaml", "message er03.joins [en/easy]"),
    ("ER-04", "error", "en.yaml", "message er04.jargon [en/standard]"),
    ("ER-04", "error", "en.yaml", "message er04.jargon [en/easy]"),
    ("ER-05", "error", "en.yaml", "message er05.caps [en/standard]"),
    ("ER-06", "error", "en.yaml", "message er06.etc [en/standard]"),
    ("ER-06", "error", "en.yaml", "message er06.etc [en/easy]"),
    ("ER-06", "error", "en.yaml", "message er06.symbol [en/standard]"),
    ("ER-06", "error", "en.yaml", "message er06.symbol [en/easy]"),
    ("ER-07", "warning", "en.yaml", "message er07.words [en/standard]"),
    ("ER-11", "error", "en.yaml", "message er11.contraction [en/standard]"),
    ("ER-11", "error", "en.yaml", "message er11.contraction [en/easy]"),
    ("ER-11", "warning", "en.yaml", "message er11.negations [en/standard]"),
    ("ER-14", "warning", "en.yaml", "message er14.punct [en/standard]"),
    ("ER-14", "warning", "en.yaml", "message er14.punct [en/easy]"),
    ("ER-15", "error", "en.yaml", "message er15.long [en/standard]"),
    ("ER-15", "warning", "en.yaml", "message er15.question [en/standard]"),
    ("ER-19", "error", "pl.yaml", "message er19.missing [pl]"),
    ("ER-19", "error", "pl.yaml", "message er19.placeholder [pl/standard]"),
    ("ER-19", "warning", "pl.yaml", "message er19.ratio [pl/standard]"),
    ("ER-19", "error", "pl.yaml", "message er19.no_easy [pl/easy]"),
    ("ER-19", "warning", "pl.yaml", "message pl.only [pl]"),
    ("ER-20", "warning", "demo.yaml", "q_many"),
    ("ER-20", "warning", "en.yaml", "message er20.question [en/standard]"),
    ("CAT-REVIEW", "info", "pl.yaml", ""),
]


@pytest.mark.parametrize(("rule", "severity", "file", "where"), FIRES)
def test_rule_fires_on_the_message_that_breaks_it(
    bad: list[Problem], rule: str, severity: str, file: str, where: str
) -> None:
    hits = [p for p in bad if p.rule == rule and p.location == where and p.file.endswith(file)]
    assert [p.severity for p in hits][:1] == [severity], "\n".join(map(str, bad))


# Where each easy-read rule may fire in `bad`: only on the messages made to break it (ER-02 also
# on the long message, ER-01 nowhere else).
ONLY_ON = {
    "ER-01": {"er01.long"},
    "ER-02": {"er02.many", "er15.long"},
    "ER-03": {"er03.joins"},
    "ER-04": {"er04.jargon"},
    "ER-05": {"er05.caps"},
    "ER-06": {"er06.etc", "er06.symbol"},
    "ER-07": {"er07.words"},
    "ER-11": {"er11.contraction", "er11.negations"},
    "ER-14": {"er14.punct"},
    "ER-15": {"er15.long", "er15.question"},
}


@pytest.mark.parametrize("rule", sorted(ONLY_ON))
def test_rule_fires_nowhere_else(bad: list[Problem], rule: str) -> None:
    fired = {p.location.split()[1] for p in bad if p.rule == rule}
    assert fired == ONLY_ON[rule]


@pytest.mark.parametrize("rule", [*sorted(ONLY_ON), "ER-19", "ER-20"])
def test_rule_is_quiet_on_the_clean_catalogue(good: list[Problem], rule: str) -> None:
    assert [str(p) for p in good if p.rule == rule] == []


def test_one_idea_rule_applies_to_easy_read_only() -> None:
    """ER-03 (one idea per sentence) is an easy-read rule: the standard text may join ideas."""
    problems = lint("bad").problems
    assert not [p for p in problems if p.rule == "ER-03" and "/standard]" in p.location]


def test_statistics_count_segments_and_encodings_per_register() -> None:
    stats = {s.language: s for s in lint("good").stats}
    assert list(stats) == ["en", "pl", "ar"]
    english, polish, arabic = stats["en"], stats["pl"], stats["ar"]
    assert english.messages == 11
    assert (english.standard.one, english.standard.gsm7, english.standard.ucs2) == (11, 11, 0)
    assert arabic.easy.ucs2 == arabic.messages  # Arabic script is always UCS-2
    # Polish: "Tak", "Nie" and the yes/no question without Polish letters stay GSM-7
    assert polish.standard.gsm7 == 3 and polish.standard.ucs2 == 8
    bad_english = {s.language: s for s in lint("bad").stats}["en"]
    assert (bad_english.standard.two, bad_english.standard.more) == (1, 1)
