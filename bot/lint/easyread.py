"""Easy-read rules on one catalogue text (ER-01 to ER-07, ER-11, ER-14).

Each rule takes the text of one message in one language and register and returns findings; the
runner adds the file and the message id. Severities follow RULES.md; thresholds and word lists
come from `bot.lint.config` so each language can be tuned.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.catalogue.model import PLACEHOLDER, fold
from bot.flowspec.problems import Severity
from bot.lint.config import LanguageRules, rules_for
from bot.lint.text import bare_words, sentences, words
from bot.lint.wordlists import jargon_en, words_to_avoid_en
from bot.terms import Register


@dataclass(frozen=True)
class Finding:
    severity: Severity
    rule: str
    message: str


@dataclass(frozen=True)
class TextContext:
    language: str
    register: Register
    allowed_capitals: frozenset[str]  # upper-cased, folded: NHS, GP, UK and every keyword

    @property
    def rules(self) -> LanguageRules:
        return rules_for(self.language)


Rule = Callable[[str, TextContext], Iterable[Finding]]

_JOINER_PUNCTUATION = re.compile(r"[,;:،؛]")
_CONTRACTION = re.compile(
    r"\b(?:can|won|don|isn|doesn|didn|shouldn|wouldn|couldn|aren|haven)['’]t\b", re.IGNORECASE
)
_SYMBOL_AND = re.compile(r"&|(?<=[^\W\d_])\s*\+\s*(?=[^\W\d_])")
_HARD_PUNCTUATION = re.compile(r"[\\/<>#;()\[\]*]")
_EXPLAINS = re.compile(r"\b(?:means|is)\b", re.IGNORECASE)


def _quote(sentence: str, limit: int = 40) -> str:
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


def sentence_length(text: str, ctx: TextContext) -> Iterable[Finding]:
    limit = ctx.rules.limits(ctx.register).sentence_words
    for sentence in sentences(text):
        count = len(words(sentence))
        if count > limit:
            yield Finding(
                "error", "ER-01", f"sentence of {count} words (limit {limit}): {_quote(sentence)!r}"
            )


def message_length(text: str, ctx: TextContext) -> Iterable[Finding]:
    limits = ctx.rules.limits(ctx.register)
    count, total = len(sentences(text)), len(words(text))
    if count > limits.message_sentences or total > limits.message_words:
        yield Finding(
            "warning",
            "ER-02",
            f"{count} sentences and {total} words (limits {limits.message_sentences} and "
            f"{limits.message_words}): split the turn",
        )


def one_idea(text: str, ctx: TextContext) -> Iterable[Finding]:
    limit = ctx.rules.limits(ctx.register).joiners
    if limit is None:
        return
    conjunctions = set(ctx.rules.conjunctions)
    for sentence in sentences(text):
        joined = len(_JOINER_PUNCTUATION.findall(PLACEHOLDER.sub("", sentence)))
        joined += sum(1 for w in bare_words(sentence) if w.lower() in conjunctions)
        if joined > limit:
            yield Finding(
                "warning", "ER-03", f"{joined} joiners in one sentence: {_quote(sentence)!r}"
            )


def jargon(text: str, ctx: TextContext) -> Iterable[Finding]:
    if ctx.language != "en":
        return
    parts = sentences(text)
    for index, sentence in enumerate(parts):
        explained = index + 1 < len(parts) and bool(_EXPLAINS.search(parts[index + 1]))
        for term in (*jargon_en(), *words_to_avoid_en()):
            found = term.pattern.search(sentence)
            if found and not explained:
                yield Finding(
                    "error",
                    "ER-04",
                    f"{found.group(0)!r} is jargon: say {term.plain!r}, or explain it in the "
                    "next sentence",
                )


def acronyms(text: str, ctx: TextContext) -> Iterable[Finding]:
    allowed = ctx.allowed_capitals | {a.upper() for a in ctx.rules.acronyms}
    for token in dict.fromkeys(re.findall(r"[^\W\d_]+", PLACEHOLDER.sub("", text))):
        cased = sum(1 for ch in token if ch.isupper())
        if cased >= 2 and token.isupper() and fold(token).upper() not in allowed:
            yield Finding("error", "ER-05", f"{token!r}: write the words, not capitals")


def abbreviations(text: str, ctx: TextContext) -> Iterable[Finding]:
    found: dict[int, str] = {}
    for abbreviation in ctx.rules.abbreviations:
        pattern = rf"(?<![\w.]){re.escape(abbreviation)}(?!\w)"
        for match in re.finditer(pattern, text, re.IGNORECASE):
            found.setdefault(match.start(), match.group(0))
    for written in dict.fromkeys(found.values()):
        yield Finding("error", "ER-06", f"{written!r}: write the words in full")
    if _SYMBOL_AND.search(text):
        yield Finding("error", "ER-06", "'&' or '+' for 'and': write the word")


def numbers_as_digits(text: str, ctx: TextContext) -> Iterable[Finding]:
    listed = set(ctx.rules.number_words)
    for word in dict.fromkeys(w.lower() for w in bare_words(text)):
        if word in listed:
            yield Finding("warning", "ER-07", f"{word!r}: write the number as digits")


def positive_wording(text: str, ctx: TextContext) -> Iterable[Finding]:
    if ctx.language == "en":
        for found in dict.fromkeys(m.group(0) for m in _CONTRACTION.finditer(text)):
            yield Finding("error", "ER-11", f"{found!r}: say it positively, or write it in full")
    negations = set(ctx.rules.negations)
    if not negations:
        return
    for sentence in sentences(text):
        # A reply keyword in capitals (NO) names a command; it is not a negation.
        count = sum(1 for w in bare_words(sentence) if w.lower() in negations and not w.isupper())
        count += len(_CONTRACTION.findall(sentence)) if ctx.language == "en" else 0
        if count > 1:
            yield Finding(
                "warning", "ER-11", f"{count} negations in one sentence: {_quote(sentence)!r}"
            )


def simple_punctuation(text: str, ctx: TextContext) -> Iterable[Finding]:
    found = sorted(set(_HARD_PUNCTUATION.findall(PLACEHOLDER.sub("", text))))
    if found:
        yield Finding("warning", "ER-14", f"hard punctuation {' '.join(found)}: use . , ? !")


RULES: tuple[Rule, ...] = (
    sentence_length,
    message_length,
    one_idea,
    jargon,
    acronyms,
    abbreviations,
    numbers_as_digits,
    positive_wording,
    simple_punctuation,
)


def check_text(text: str, ctx: TextContext) -> list[Finding]:
    return [finding for rule in RULES for finding in rule(text, ctx)]
