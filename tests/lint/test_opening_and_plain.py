"""`heard lint` on the opening path (OPEN-01), answer options in easy read (ER-20) and the
plain-letter tables (TR-01 to TR-03), on the shipped content and on broken copies of it."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from bot.catalogue import Catalogue, LanguageInfo, load_catalogue
from bot.flowspec import FlowSet, load_flows
from bot.lint.config import OPENING_SEGMENTS_GSM7, OPENING_SEGMENTS_UCS2
from bot.lint.opening import budget, opening_paths, walk
from bot.lint.plain import check_messages, check_table, plain_savings
from bot.lint.questions import read_questions
from bot.lint.report import format_report
from bot.lint.runner import run_lint
from bot.render.segments import is_gsm7

REPOSITORY = Path(__file__).resolve().parents[2]
FLOWS = REPOSITORY / "flows"
CATALOGUE = load_catalogue()


@pytest.fixture(scope="module")
def flows() -> FlowSet:
    return load_flows()


@pytest.fixture(scope="module")
def shipped_report() -> str:
    return format_report(run_lint(FLOWS, FLOWS / "catalogue"))


@pytest.mark.parametrize("language", CATALOGUE.codes)
def test_the_opening_fits_its_budget_in_every_language(flows: FlowSet, language: str) -> None:
    for register in ("standard", "easy"):
        for route in ("recognised", "language menu"):
            path = walk(flows, CATALOGUE, language, register, route)
            assert path.segments <= budget(path), path
            assert path.inbound <= 4
            assert [text_id for text_id, _ in path.preamble] == [
                "consent.about",
                "consent.ask_share_views",
            ]


@pytest.mark.parametrize(
    ("language", "route", "plain", "limit"),
    [
        ("en", "recognised", False, OPENING_SEGMENTS_GSM7),
        ("so", "language menu", False, OPENING_SEGMENTS_GSM7),
        ("ur", "recognised", False, OPENING_SEGMENTS_UCS2),
        ("pl", "recognised", False, OPENING_SEGMENTS_UCS2),
        ("pl", "recognised", True, OPENING_SEGMENTS_GSM7),  # plain letters: GSM-7 prices
        ("ro", "language menu", True, OPENING_SEGMENTS_GSM7),
    ],
)
def test_the_budget_follows_the_encoding(
    flows: FlowSet, language: str, route: str, plain: bool, limit: int
) -> None:
    path = walk(flows, CATALOGUE, language, "standard", route, plain)  # type: ignore[arg-type]
    assert budget(path) == limit


def test_the_language_menu_is_counted_apart(flows: FlowSet) -> None:
    path = walk(flows, CATALOGUE, "pl", "standard", "language menu")
    assert path.menu and path.menu_segments == sum(r.segments for r in path.menu)
    assert all(r.encoding == "UCS-2" for r in path.menu)  # the names in their own scripts


def test_the_report_shows_the_opening_per_language(shipped_report: str) -> None:
    assert "Opening: what a new person receives before the first question" in shipped_report
    for info in CATALOGUE.languages.values():
        assert f"{info.code} {info.english_name}"[:12] in shipped_report
    assert "Plain letters on SMS" in shipped_report


def test_shipped_content_has_no_opening_or_plain_letter_errors() -> None:
    report = run_lint(FLOWS, FLOWS / "catalogue")
    assert [str(p) for p in report.problems if p.rule.startswith(("OPEN", "TR"))] == []
    assert report.errors == 0


def test_a_long_opening_is_an_error(tmp_path: Path) -> None:
    flows_dir = tmp_path / "flows"
    shutil.copytree(FLOWS, flows_dir)
    welcome = flows_dir / "welcome.yaml"
    text = welcome.read_text(encoding="utf-8")
    # Say the facts three times before the question: over budget in every language.
    longer = text.replace(
        "    text: consent.about\n    next: which_ask",
        "    text: consent.about\n    next: again\n"
        "  - id: again\n    type: send\n    text: consent.about\n    next: once_more\n"
        "  - id: once_more\n    type: send\n    text: consent.about\n    next: which_ask",
    )
    assert longer != text
    welcome.write_text(longer, encoding="utf-8")
    report = run_lint(flows_dir, flows_dir / "catalogue")
    over = [p for p in report.problems if p.rule == "OPEN-01"]
    assert over and all(p.severity == "error" for p in over)
    assert any("opening [en/standard, recognised]" in p.location for p in over)


def test_easy_read_questions_offer_at_most_4_options() -> None:
    report = run_lint(FLOWS, FLOWS / "catalogue")
    easy = [
        str(p)
        for p in report.problems
        if p.rule == "ER-20" and ("/easy]" in p.location or not p.location.startswith("message"))
    ]
    assert easy == []


def test_a_question_with_5_options_is_an_er20_warning(tmp_path: Path) -> None:
    flows_dir = tmp_path / "flows"
    shutil.copytree(FLOWS, flows_dir)
    menu = flows_dir / "menu.yaml"
    text = menu.read_text(encoding="utf-8")
    text = text.replace(
        "      - value: more\n        text: menu.more\n",
        "      - value: more\n        text: menu.more\n      - value: back\n"
        "        text: menu.back\n",
        1,
    )
    menu.write_text(text, encoding="utf-8")
    report = run_lint(flows_dir, flows_dir / "catalogue")
    assert [(p.location, p.message) for p in report.problems if p.rule == "ER-20" and
            p.file.endswith("menu.yaml")] == [("choose", "5 options (more than 4)")]


def language(code: str, table: dict[str, str]) -> LanguageInfo:
    return replace(CATALOGUE.languages[code], plain_letters=table)


@pytest.mark.parametrize(
    ("code", "table", "rules"),
    [
        ("pl", {"ą": "a", "ł": "l", "Ż": "Z"}, []),
        ("ro", {"ș": "s", "ţ": "t", "Î": "I"}, []),
        ("pl", {"ą": "o"}, ["TR-01"]),  # another letter: a guess, not a lost accent
        ("pl", {"ż": "ż"}, ["TR-01"]),  # nothing changes
        ("pl", {"ł": "w"}, ["TR-01"]),
        ("pl", {"ś": "sz"}, ["TR-01"]),
        ("cy", {"ŵ": "w"}, ["TR-02"]),  # tŵr / twr: the accent tells words apart
        ("cy", {"ŵ": "v"}, ["TR-01", "TR-02"]),
    ],
)
def test_a_plain_letter_table_only_drops_accents(
    code: str, table: dict[str, str], rules: list[str]
) -> None:
    assert [f.rule for f in check_table(language(code, table))] == rules


@pytest.mark.parametrize("code", [c for c, i in CATALOGUE.languages.items() if i.plain_letters])
def test_no_letter_outside_gsm7_is_left_after_plain_letters(code: str) -> None:
    info = CATALOGUE.languages[code]
    assert check_messages(info, CATALOGUE, read_questions(FLOWS, FLOWS)) == []
    for entry in info.messages.values():
        for text in (entry.standard, entry.easy):
            plain = "".join(info.plain_letters.get(ch, ch) for ch in text)
            assert is_gsm7(plain.replace("\u201e", '"').replace("\u201d", '"')), text


def test_a_letter_missing_from_the_table_is_reported() -> None:
    table = dict(CATALOGUE.languages["pl"].plain_letters)
    del table["ł"]
    catalogue = Catalogue({**CATALOGUE.languages, "pl": language("pl", table)})
    found = check_messages(catalogue.languages["pl"], catalogue, read_questions(FLOWS, FLOWS))
    assert found and all(f.rule == "TR-03" and "ł" in f.message for _, f in found)


def test_tables_only_where_they_are_safe() -> None:
    """Polish and Romanian have a table; Welsh, whose circumflex tells words apart, has none."""
    with_table = {c for c, i in CATALOGUE.languages.items() if i.plain_letters}
    assert with_table == {"pl", "ro"}


@pytest.mark.parametrize("code", ["pl", "ro"])
def test_plain_letters_save_segments(code: str) -> None:
    saved = plain_savings(CATALOGUE.languages[code], CATALOGUE, read_questions(FLOWS, FLOWS))
    assert saved.ucs2_after < saved.ucs2_before / 10
    assert saved.segments_after < saved.segments_before


def test_every_language_is_walked(flows: FlowSet) -> None:
    paths = opening_paths(flows, CATALOGUE)
    walked = {(p.language, p.register, p.route, p.plain) for p in paths}
    for code, info in CATALOGUE.languages.items():
        assert (code, "easy", "language menu", False) in walked
        assert ((code, "standard", "recognised", True) in walked) is bool(info.plain_letters)


def test_the_easy_read_help_lines_have_one_idea_a_sentence_in_every_language() -> None:
    # "To talk: Samaritans 116 123." (no comma between a help line's name and its number).
    report = run_lint(FLOWS, FLOWS / "catalogue")
    joined = [
        str(p) for p in report.problems
        if p.rule == "ER-03" and p.location.startswith("message safeguarding.help_general ")
    ]
    assert joined == []
