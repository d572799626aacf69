"""`heard lint` as a command: what it prints and the exit status CI relies on."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.flowspec.problems import Problem, Severity
from bot.lint.report import LintReport, format_report
from bot.lint.runner import exit_status, lint_command, run_lint

FIXTURES = Path(__file__).parent / "fixtures"
REPOSITORY = Path(__file__).resolve().parents[2]


def report_of(*severities: Severity) -> LintReport:
    return LintReport(
        tuple(Problem(s, "flows/catalogue/en.yaml", "", "ER-01", "x") for s in severities)
    )


@pytest.mark.parametrize(
    ("severities", "strict", "status"),
    [
        ((), False, 0),
        (("info",), True, 0),
        (("warning",), False, 0),
        (("warning",), True, 1),
        (("error",), False, 1),
        (("error", "warning"), True, 1),
    ],
)
def test_exit_status(severities: tuple[Severity, ...], strict: bool, status: int) -> None:
    assert exit_status(report_of(*severities), strict) == status


def test_lint_command_prints_the_report_and_fails_on_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = lint_command(FIXTURES / "bad", FIXTURES / "bad" / "catalogue")
    out = capsys.readouterr().out
    assert status == 1
    assert "en.yaml:message er01.long [en/easy]: error: [ER-01]" in out
    assert "SMS segments per language" in out
    assert out.rstrip().splitlines()[-1].endswith("info")


def test_unreadable_catalogue_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "en.yaml").write_text("language: [not, a, mapping\n", encoding="utf-8")
    report = run_lint(tmp_path, tmp_path)
    assert [p.rule for p in report.problems] == ["CAT-LOAD"]
    assert exit_status(report) == 1


def test_without_flow_files_sizes_are_of_texts_alone(tmp_path: Path) -> None:
    report = run_lint(tmp_path, FIXTURES / "good" / "catalogue")
    assert any("SMS sizes are of texts alone" in note for note in report.notes)


def test_report_lists_errors_before_warnings() -> None:
    text = format_report(report_of("info", "warning", "error"))
    order = [line.split(": ")[1] for line in text.splitlines()[:3]]
    assert order == ["error", "warning", "info"]


@pytest.mark.skipif(
    not (REPOSITORY / "flows" / "catalogue" / "en.yaml").exists(),
    reason="the real catalogue (flows/catalogue/en.yaml) has not landed yet",
)
def test_real_flows_and_catalogue_have_no_lint_errors() -> None:
    report = run_lint(REPOSITORY / "flows", REPOSITORY / "flows" / "catalogue")
    errors = [str(p) for p in report.problems if p.severity == "error"]
    assert errors == [], "heard lint errors in flows/ and flows/catalogue/:\n" + "\n".join(errors)
