"""SG-01 in `heard lint`: every catalogue language has safeguarding phrases of every kind."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.lint.runner import run_lint
from bot.lint.safeguarding import safeguarding_problems

REPOSITORY = Path(__file__).resolve().parents[2]
FLOWS = REPOSITORY / "flows"


def sg01(flows_dir: Path, languages: list[str]) -> list[str]:
    found = safeguarding_problems(flows_dir, languages, lambda p: p.name)
    return sorted(f"{p.file}:{p.location}: {p.message}" for p in found)


def test_the_shipped_phrases_cover_every_catalogue_language() -> None:
    report = run_lint(FLOWS, FLOWS / "catalogue")
    assert [str(p) for p in report.problems if p.rule == "SG-01"] == []


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    shutil.copytree(FLOWS / "safeguarding", tmp_path / "safeguarding")
    return tmp_path


def test_a_language_without_a_file_is_an_error(flows: Path) -> None:
    (flows / "safeguarding" / "cy.yaml").unlink()
    assert sg01(flows, ["en", "cy"]) == ["cy.yaml:: no safeguarding phrases for cy"]


def test_an_empty_or_missing_kind_is_an_error(flows: Path) -> None:
    (flows / "safeguarding" / "pl.yaml").write_text(
        "language: pl\nrisk_to_self: [chce umrzec]\nharm_from_others: []\n"
        "immediate_danger: [ma noz]\nbogus: [x]\n",
        encoding="utf-8",
    )
    assert sg01(flows, ["pl"]) == [
        "pl.yaml:bogus: unknown kind `bogus`: use ('immediate_danger', 'risk_to_self', "
        "'harm_from_others', 'help_request')",
        "pl.yaml:harm_from_others: no `harm_from_others` phrases for pl",
        "pl.yaml:help_request: no `help_request` phrases for pl",
    ]


def test_an_unreadable_file_is_an_error(flows: Path) -> None:
    (flows / "safeguarding" / "ro.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    assert sg01(flows, ["ro"]) == [
        "ro.yaml:: expected a mapping of kinds to lists of phrases"
    ]
