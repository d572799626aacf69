"""What `heard lint` found: problems, per-language SMS statistics, notes; and its text form."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.channels.twilio_sms.render import SmsRendering
from bot.flowspec.problems import Problem

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class SegmentCounts:
    """How many messages of one register fit 1 SMS segment, need 2, or more; and in which
    encoding they go."""

    one: int = 0
    two: int = 0
    more: int = 0
    gsm7: int = 0
    ucs2: int = 0

    @staticmethod
    def of(renderings: Iterable[SmsRendering]) -> SegmentCounts:
        items = list(renderings)
        return SegmentCounts(
            one=sum(1 for r in items if r.segments <= 1),
            two=sum(1 for r in items if r.segments == 2),
            more=sum(1 for r in items if r.segments > 2),
            gsm7=sum(1 for r in items if r.encoding == "GSM-7"),
            ucs2=sum(1 for r in items if r.encoding == "UCS-2"),
        )


@dataclass(frozen=True)
class LanguageStats:
    language: str
    english_name: str
    messages: int
    standard: SegmentCounts
    easy: SegmentCounts


@dataclass(frozen=True)
class LintReport:
    problems: tuple[Problem, ...]
    stats: tuple[LanguageStats, ...] = ()
    notes: tuple[str, ...] = ()  # checks that could not run, and why
    sections: tuple[str, ...] = ()  # further tables (the opening path, plain letters), as lines

    def count(self, severity: str) -> int:
        return sum(1 for p in self.problems if p.severity == severity)

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def warnings(self) -> int:
        return self.count("warning")


def _sorted(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (_SEVERITY_ORDER[p.severity], p.file, p.location, p.rule))


def _stats_table(stats: Iterable[LanguageStats]) -> list[str]:
    header = (
        f"{'language':<12}{'messages':>9}  "
        f"{'standard: 1':>11}{'2':>4}{'3+':>4}{'GSM-7':>7}{'UCS-2':>7}  "
        f"{'easy: 1':>7}{'2':>4}{'3+':>4}{'GSM-7':>7}{'UCS-2':>7}"
    )
    lines = ["SMS segments per language (each message with its choices)", header]
    for s in stats:
        st, ez = s.standard, s.easy
        lines.append(
            f"{s.language + ' ' + s.english_name:<12.12}{s.messages:>9}  "
            f"{st.one:>11}{st.two:>4}{st.more:>4}{st.gsm7:>7}{st.ucs2:>7}  "
            f"{ez.one:>7}{ez.two:>4}{ez.more:>4}{ez.gsm7:>7}{ez.ucs2:>7}"
        )
    return lines


def format_report(report: LintReport) -> str:
    lines = [str(p) for p in _sorted(report.problems)]
    if report.stats:
        lines += ["", *_stats_table(report.stats)]
    if report.sections:
        lines += ["", *report.sections]
    if report.notes:
        lines += ["", *(f"note: {note}" for note in report.notes)]
    lines += [
        "",
        f"{report.errors} errors, {report.warnings} warnings, {report.count('info')} info",
    ]
    return "\n".join(lines).lstrip("\n")
