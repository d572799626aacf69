"""SG-01: every catalogue language has a safeguarding phrase file
(`<flows>/safeguarding/<lang>.yaml`) with every kind listed and non-empty, and its patterns
(if any) use only word classes the file defines.

A language without phrases would leave its speakers with the classifier alone: a disclosure
in it could pass unseen, so a missing file or an empty kind is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from bot.flowspec.problems import Problem
from bot.nlu.keywords import KINDS, PhraseFileError, read_language_file

RULE = "SG-01"


def safeguarding_problems(
    flows_dir: Path, languages: Iterable[str], shown: Callable[[Path], str]
) -> list[Problem]:
    directory = flows_dir / "safeguarding"
    problems: list[Problem] = []
    for code in sorted(languages):
        path = directory / f"{code}.yaml"
        if not path.is_file():
            problems.append(
                Problem("error", shown(path), "", RULE, f"no safeguarding phrases for {code}")
            )
            continue
        try:
            kinds, _patterns = read_language_file(path)
        except PhraseFileError as exc:
            message = str(exc).removeprefix(f"{path}: ")
            problems.append(Problem("error", shown(path), "", RULE, message))
            continue
        for kind in KINDS:
            if not kinds.get(kind):
                problems.append(
                    Problem("error", shown(path), kind, RULE, f"no `{kind}` phrases for {code}")
                )
        for kind in sorted(set(kinds) - set(KINDS)):
            problems.append(
                Problem("error", shown(path), kind, RULE, f"unknown kind `{kind}`: use {KINDS}")
            )
    return problems
