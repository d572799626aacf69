"""`heard lint`: flow validation and the catalogue's easy-read, SMS-size and parity checks.

`run_lint` never raises for content problems: an unreadable catalogue is one error in the report.
The exit status is non-zero when there is any error (and, with `strict`, any warning), so CI fails
on the same findings a person reads.
"""

from __future__ import annotations

from pathlib import Path

from bot.catalogue import Catalogue, CatalogueError, LanguageInfo, load_catalogue
from bot.catalogue.words import words_dir
from bot.flowspec.loader import FlowError, load_flows
from bot.flowspec.problems import Problem
from bot.flowspec.validate import validate_flows
from bot.lint.easyread import Finding, TextContext, check_text
from bot.lint.opening import check_opening, format_opening
from bot.lint.options import option_count, option_labels
from bot.lint.parity import location, parity, review_status
from bot.lint.plain import PlainSavings, format_savings, plain_savings, problems_for
from bot.lint.questions import Question, flow_files, read_questions
from bot.lint.report import LanguageStats, LintReport, SegmentCounts, format_report
from bot.lint.safeguarding import safeguarding_problems
from bot.lint.sms_size import Measured, measure, sms_size
from bot.lint.words import words_problems
from bot.terms import REGISTERS

REPOSITORY = Path(__file__).resolve().parents[2]


def shown_path(path: Path | str) -> str:
    """A path as the report prints it: relative to the repository or the working directory."""
    resolved = Path(path).resolve()
    for base in (REPOSITORY, Path.cwd()):
        if resolved.is_relative_to(base):
            return str(resolved.relative_to(base))
    return str(resolved)


def allowed_capitals(catalogue: Catalogue) -> frozenset[str]:
    """Every command word of every language in capitals: "Text STOP" is an instruction."""
    return frozenset(
        word.upper()
        for info in catalogue.languages.values()
        for words in info.keywords.values()
        for phrase in words
        for word in phrase.split()
    )


def _as_problems(findings: list[Finding], file: str, where: str) -> list[Problem]:
    return [Problem(f.severity, file, where, f.rule, f.message) for f in findings]


def _lint_language(
    info: LanguageInfo,
    catalogue: Catalogue,
    questions: dict[str, list[Question]],
    capitals: frozenset[str],
) -> tuple[list[Problem], LanguageStats]:
    file = shown_path(info.source)
    problems: list[Problem] = []
    measured: dict[str, list[Measured]] = {register: [] for register in REGISTERS}
    for text_id, entry in info.messages.items():
        for register in REGISTERS:
            text = entry.variant(register)
            if not text.strip():
                continue  # parity reports an empty register
            where = location(text_id, info.code, register)
            ctx = TextContext(info.code, register, capitals)
            problems += _as_problems(check_text(text, ctx), file, where)
            size = measure(catalogue, info.code, register, text_id, questions)
            measured[register].append(size)
            problems += _as_problems(sms_size(size), file, where)
            for question in questions.get(text_id, []):
                options = option_labels(question, catalogue, info.code, register)
                problems += _as_problems(options, file, where)
    stats = LanguageStats(
        info.code,
        info.english_name,
        len(info.messages),
        SegmentCounts.of(m.rendering for m in measured["standard"]),
        SegmentCounts.of(m.rendering for m in measured["easy"]),
    )
    return list(dict.fromkeys(problems)), stats


def run_lint(flows_dir: Path, catalogue_dir: Path) -> LintReport:
    try:
        catalogue = load_catalogue(catalogue_dir)
    except CatalogueError as exc:
        return LintReport((Problem("error", shown_path(catalogue_dir), "", "CAT-LOAD", str(exc)),))
    problems = list(validate_flows(flows_dir, catalogue))
    notes: list[str] = []
    if not flow_files(flows_dir):
        notes.append(f"no flow files in {shown_path(flows_dir)}: SMS sizes are of texts alone")
    questions = read_questions(flows_dir, Path(shown_path(flows_dir)))
    for asked in questions.values():
        for question in asked:
            if question.file:
                problems += _as_problems(option_count(question), question.file, question.step)
    capitals = allowed_capitals(catalogue)
    stats: list[LanguageStats] = []
    for info in catalogue.languages.values():
        found, language_stats = _lint_language(info, catalogue, questions, capitals)
        problems += found
        stats.append(language_stats)

    def shown(info: LanguageInfo) -> str:
        return shown_path(info.source)

    problems += parity(catalogue, shown)
    problems += review_status(catalogue, shown)
    savings: list[PlainSavings] = []
    for info in catalogue.languages.values():
        if info.plain_letters:
            problems += problems_for(info, catalogue, questions, shown(info))
            savings.append(plain_savings(info, catalogue, questions))
    sections = format_savings(savings)
    problems += safeguarding_problems(flows_dir, catalogue.languages, shown_path)
    problems += words_problems(words_dir(catalogue_dir), catalogue.languages, shown_path)
    if not any(p.severity == "error" and p.rule.startswith("FLOW") for p in problems):
        opening, section = _opening(flows_dir, catalogue, notes)
        problems += opening
        sections = [*section, "", *sections] if section else sections
    return LintReport(tuple(problems), tuple(stats), tuple(notes), tuple(sections))


def _opening(
    flows_dir: Path, catalogue: Catalogue, notes: list[str]
) -> tuple[list[Problem], list[str]]:
    """OPEN-01 and its table, on flows that validated (a broken flow is reported already)."""
    try:
        flows = load_flows(flows_dir)
    except (FlowError, OSError) as exc:
        notes.append(f"opening path not walked: {str(exc).splitlines()[0]}")
        return [], []
    if "welcome" not in flows or "menu" not in flows:
        notes.append("opening path not walked: no welcome or menu flow")
        return [], []
    file_of = {code: shown_path(info.source) for code, info in catalogue.languages.items()}
    file_of["welcome"] = shown_path(flows_dir / "welcome.yaml")
    problems, paths = check_opening(flows, catalogue, file_of)
    names = {code: info.english_name for code, info in catalogue.languages.items()}
    return problems, format_opening(paths, names)


def lint_command(flows_dir: Path | None, catalogue_dir: Path | None, strict: bool = False) -> int:
    """Prints the report; returns 1 on any error (or, with `strict`, any warning), else 0."""
    flows = flows_dir or REPOSITORY / "flows"
    report = run_lint(flows, catalogue_dir or flows / "catalogue")
    print(format_report(report))
    return exit_status(report, strict)


def exit_status(report: LintReport, strict: bool = False) -> int:
    failed = report.errors > 0 or (strict and report.warnings > 0)
    return 1 if failed else 0
