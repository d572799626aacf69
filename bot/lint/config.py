"""Thresholds of the catalogue lint, and its per-language word lists read from the files
translators tune: `easy_read` and `meaning_letters` in `flows/words/<lang>.yaml`.

Each language starts from `DEFAULT` and overrides what its evidence supports; an empty word list
turns that check off for the language (for example negation counting where a language has no
list yet). Severities follow `/work/shared/easy-read/RULES.md` and live in the rule modules.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from pathlib import Path

from bot.catalogue.words import WORDS_DIR, read_easy_read, read_words_file
from bot.terms import Register


@dataclass(frozen=True)
class RegisterLimits:
    sentence_words: int  # ER-01: more words in one sentence is an error
    message_sentences: int  # ER-02: more sentences in one message is a warning
    message_words: int  # ER-02: more words in one message is a warning
    joiners: int | None  # ER-03: more joiners in one sentence is a warning; None: not checked


@dataclass(frozen=True)
class LanguageRules:
    easy: RegisterLimits
    standard: RegisterLimits
    # ER-03: conjunctions that join two ideas (whole words, lower case)
    conjunctions: tuple[str, ...] = ()
    # ER-05: capitals allowed besides every language's command words
    acronyms: tuple[str, ...] = ("NHS", "GP", "UK")
    # ER-06: abbreviations, case-insensitive; a trailing full stop is optional unless listed
    abbreviations: tuple[str, ...] = ()
    # ER-07: number words that should be digits
    number_words: tuple[str, ...] = ()
    # ER-11: words of negation; negative concord languages list only the one particle
    negations: tuple[str, ...] = ()
    # ER-19: English-relative length outside these bounds is a warning
    length_ratio: tuple[float, float] = (0.6, 1.8)
    # ER-19: shorter English texts are not compared (a ratio of two short words is noise)
    length_ratio_min_chars: int = 25

    def limits(self, register: Register) -> RegisterLimits:
        return self.easy if register == "easy" else self.standard


# ER-15 and ER-20 apply to every language alike.
SMS_SEGMENTS_WARN = 1  # more is a warning
SMS_SEGMENTS_ERROR = 2  # more is an error
MAX_OPTIONS = 4  # ER-20: more options is a warning
MAX_OPTION_CHARS = 20  # ER-20: a longer option label is a warning

# OPEN-01: SMS segments a new person may receive before the first question (bot.lint.opening).
OPENING_SEGMENTS_GSM7 = 3
OPENING_SEGMENTS_UCS2 = 5

# TR-01: plain forms agreed for letters that Unicode does not decompose into letter + accent.
PLAIN_EXCEPTIONS: dict[str, str] = {"ł": "l", "Ł": "L"}

# Placeholders are measured filled with values of a typical length, all GSM-7, so that a
# placeholder never changes a message's encoding. The phone numbers are Ofcom drama numbers.
PLACEHOLDER_SAMPLES: dict[str, str] = {
    "org": "Anytown Council Adult Care",
    "helpline": "07700 900123",
    "helpline_self": "07700 900123",
    "helpline_self_name": "Samaritans",
    "helpline_abuse": "0808 2000 247",
    "helpline_abuse_name": "National Domestic Abuse Helpline",
    "emergency": "999",
    "contact": "heard@example.org",
    "contact_email": "heard@example.org",
    "guessed_language_name": "Polski",
    # A working group's invitation (bot.engine.pending.invite): a group's name as coordinators
    # write them, a date and time, and three offers named in the message's language.
    "invite_group": "Carers Voice Group",
    "invite_date": "2026-12-09 18:00",
    "invite_offers": "an interpreter, travel costs, childcare costs",
}

DEFAULT = LanguageRules(
    easy=RegisterLimits(sentence_words=15, message_sentences=3, message_words=40, joiners=1),
    standard=RegisterLimits(sentence_words=25, message_sentences=3, message_words=40, joiners=None),
)

def rules_for(language: str, directory: Path = WORDS_DIR) -> LanguageRules:
    """`DEFAULT` with the language's own `easy_read` lists (`flows/words/<lang>.yaml`)."""
    return _language_rules(directory).get(language, DEFAULT)


def meaning_letters(language: str, directory: Path = WORDS_DIR) -> str:
    """TR-02: letters whose accent tells words apart in `language` (Welsh: the circumflex
    marks a long vowel, tŵr "tower" / twr "heap"), so its plain-letter table must not list
    them. Polish and Romanian are texted without accents and read by context: none listed."""
    path = directory / f"{language}.yaml"
    return "".join(read_words_file(path).get("meaning_letters", ())) if path.is_file() else ""


@functools.cache
def _language_rules(directory: Path) -> dict[str, LanguageRules]:
    rules: dict[str, LanguageRules] = {}
    for path in sorted(directory.glob("*.yaml")):
        lists = read_easy_read(path)
        if lists:
            rules[path.stem] = replace(DEFAULT, **lists)  # type: ignore[arg-type]
    return rules
