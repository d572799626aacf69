"""The English blocklists of ER-04 (jargon and GOV.UK words to avoid), read from `data/`.

The files are copies kept inside the package, so `heard lint` works wherever Heard is installed.
Each entry becomes a case-insensitive whole-word pattern that also finds plural and verb forms.
Jargon terms follow the jargon buster's notation: `A / B` is two terms, and a bracketed part is
optional or an alternative: `(Mental) capacity` is also `capacity`, `Chronic (long-term)
condition` also `long-term condition`, `Broker (care navigator)` also `care navigator`. An entry
marked `verb` is found only in verb forms (`to impact`, `impacted`), one marked `adjective` only
before another word (`key points`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

_BRACKETED = re.compile(r"\s*\(([^)]*)\)\s*")


@dataclass(frozen=True)
class BlockedTerm:
    term: str  # as listed, for the report
    plain: str  # the plainer wording to suggest
    pattern: re.Pattern[str]


def _data_lines(name: str) -> list[str]:
    text = resources.files("bot.lint").joinpath("data", name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _phrase(words: str) -> str:
    escaped = re.escape(words.strip().lower())
    return escaped.replace(r"\ ", r"\s+").replace("'", "['’]").replace(r"\-", r"[-\s]?")


def _pattern(body: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


def _jargon_variants(term: str) -> list[str]:
    variants: list[str] = []
    for alternative in term.split(" / "):
        bracketed = _BRACKETED.findall(alternative)
        variants.append(" ".join(_BRACKETED.sub(" ", alternative).split()))
        if bracketed:
            variants.append(" ".join(alternative.replace("(", " ").replace(")", " ").split()))
            after = alternative.split(")", 1)[1]
            variants.append(" ".join(f"{bracketed[0]} {after}".split()))
    return [v for v in dict.fromkeys(variants) if v]


def _inflected(word: str) -> str:
    base = _phrase(word)
    if word.endswith("e"):
        return rf"{base}(?:s|d)?|{_phrase(word[:-1])}ing"
    return rf"{base}(?:s|es|ed|ing|{re.escape(word[-1])}ed|{re.escape(word[-1])}ing)?"


@cache
def jargon_en() -> tuple[BlockedTerm, ...]:
    rows = list(csv.DictReader(_data_lines("jargon-en.csv")))
    terms: list[BlockedTerm] = []
    for row in rows:
        variants = _jargon_variants(row["term"])
        body = "|".join(_phrase(v) + "(?:s|es)?" for v in variants)
        terms.append(BlockedTerm(row["term"], row["plain wording"], _pattern(body)))
    return tuple(terms)


@cache
def words_to_avoid_en() -> tuple[BlockedTerm, ...]:
    terms: list[BlockedTerm] = []
    for line in _data_lines("words-to-avoid-en.txt"):
        word, plain, use = (part.strip() for part in line.split("|"))
        if use == "verb":
            last = re.escape(word[-1])
            stem = _phrase(word[:-1]) if word.endswith("e") else _phrase(word) + f"{last}?"
            body = (
                rf"(?:(?<=\bto )|(?<=\bwill )|(?<=\bcan )|(?<=\bmay )){_phrase(word)}"
                rf"|{stem}(?:ed|ing)|{_phrase(word)}d"
            )
        elif use == "adjective":
            body = rf"{_phrase(word)}(?=\s+(?!to\b|in\b|on\b|for\b|is\b|was\b)[a-z])"
        else:
            body = _inflected(word) if " " not in word else _phrase(word)
        terms.append(BlockedTerm(word, plain, _pattern(body)))
    return tuple(terms)
