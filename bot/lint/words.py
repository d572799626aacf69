"""LW-01: every catalogue language has a word list file (`<flows>/words/<lang>.yaml`, beside the
catalogue) with every required list non-empty.

Without its lists a language is guessed from its catalogue words alone, short replies that
name it ("tak", "haan ji") move nobody to it, and "1 and 3" in its own words is not
understood; so a missing file or an empty list is an error, like SG-01's phrases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from bot.catalogue.words import OPTIONAL, REQUIRED, WordsFileError, read_words_file
from bot.flowspec.problems import Problem

RULE = "LW-01"


def words_problems(
    directory: Path, languages: Iterable[str], shown: Callable[[Path], str]
) -> list[Problem]:
    problems: list[Problem] = []
    for code in sorted(languages):
        path = directory / f"{code}.yaml"
        if not path.is_file():
            problems.append(Problem("error", shown(path), "", RULE, f"no word lists for {code}"))
            continue
        try:
            lists = read_words_file(path)
        except WordsFileError as exc:
            message = str(exc).removeprefix(f"{path}: ")
            problems.append(Problem("error", shown(path), "", RULE, message))
            continue
        for name in REQUIRED:
            if not lists.get(name):
                problems.append(
                    Problem("error", shown(path), name, RULE, f"no `{name}` words for {code}")
                )
        for name in sorted(set(lists) - set(REQUIRED) - set(OPTIONAL)):
            problems.append(
                Problem(
                    "error", shown(path), name, RULE,
                    f"unknown list `{name}`: use {REQUIRED + OPTIONAL}",
                )
            )
    return problems
