"""The catalogue as loaded: languages, their command words, and messages in two registers.

Contract for `Catalogue.text`: a text missing in the asked language falls back to English in
the same register and says so (`ResolvedText.fallback`), so the renderer can show it and
`heard lint` can count it. It never invents text and never returns an empty string silently.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from bot.terms import Register

BASE_LANGUAGE = "en"
# Keyword lists that are answers to a question, not whole-message commands. `cancel` answers
# the DELETE confirmation; elsewhere English "cancel" is a STOP word (as for Twilio).
# `courtesy` ("please", "thanks") may stand beside a yes or a no word and change nothing.
# `farewell` ("thanks", "bye") as a whole reply to a choice or number question keeps the place.
REPLY_WORD_LISTS = frozenset({"yes", "no", "skip", "cancel", "courtesy", "farewell"})
# Words a stop phrase may be followed by and still count ("please", "now", "thanks").
STOP_PHRASE_EXTRA_WORDS = 2
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class CatalogueError(ValueError):
    """The catalogue files are not usable (a file, a language and a reason are in the message)."""


def fold(text: str) -> str:
    """Lower-case, NFKC, accents removed, spaces collapsed: how command words are compared.

    Accents are removed only from Latin letters; other scripts (Arabic, Bengali, Gurmukhi) keep
    their combining marks, because removing them changes the word.
    """
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    decomposed = unicodedata.normalize("NFD", text)
    kept: list[str] = []
    previous_latin = False
    for ch in decomposed:
        if unicodedata.combining(ch) and previous_latin:
            continue
        kept.append(ch)
        if not unicodedata.combining(ch):
            previous_latin = "LATIN" in unicodedata.name(ch, "")
    folded = unicodedata.normalize("NFC", "".join(kept))
    folded = folded.replace("ł", "l").replace("ø", "o").replace("ß", "ss")
    return " ".join(folded.split())


# Inside a phrase, apostrophes join ("don't" = "dont") and other punctuation separates
# ("lasati-ma" = "lasati ma", "stop, please" = "stop please"). Only punctuation is touched:
# vowel signs of Bengali or Gurmukhi are letters here.
_JOINING = str.maketrans("", "", "'’‘`´")
_SEPARATING = str.maketrans(dict.fromkeys(".,!?;:\"()[]-–—_/،۔؟।", " "))


def phrase_key(text: str) -> str:
    """How a whole message is compared with a catalogue phrase (stop phrases, greetings)."""
    return " ".join(fold(text).translate(_JOINING).translate(_SEPARATING).split())


@dataclass(frozen=True)
class MessageEntry:
    text_id: str
    standard: str
    easy: str
    status: str  # "draft" | "reviewed": as the file says (see `reviewed`)
    reviewed_by: str | None = None  # the named reviewer (the message's, else the file's)
    reviewed_text: str | None = None  # fingerprint of the texts the reviewer saw

    def variant(self, register: Register) -> str:
        return self.easy if register == "easy" else self.standard

    @property
    def fingerprint(self) -> str:
        return text_fingerprint(self.standard, self.easy)

    @property
    def reviewed(self) -> bool:
        """Reviewed only with a named reviewer and the texts that reviewer saw: a text edited
        after its review (a changed fingerprint) is a draft again (docs/DESIGN.md, "Translators
        and review")."""
        return (
            self.status == "reviewed"
            and bool(self.reviewed_by)
            and self.reviewed_text == self.fingerprint
        )


def text_fingerprint(standard: str, easy: str) -> str:
    """12 hex digits of SHA-256 over both registers: what `reviewed_text` records."""
    digest = hashlib.sha256(f"{standard}\x00{easy}".encode()).hexdigest()
    return digest[:12]


@dataclass(frozen=True)
class LanguageWords:
    """One language's word lists of `flows/words/<lang>.yaml` (bot.catalogue.words), folded."""

    everyday: frozenset[str] = frozenset()  # the language guesser's own vocabulary
    replies: frozenset[str] = frozenset()  # whole-message replies that name the language
    letters: frozenset[str] = frozenset()  # Latin letters only this language writes
    connectors: frozenset[str] = frozenset()  # "and" between the numbers of a multiple answer


@dataclass(frozen=True)
class LanguageInfo:
    code: str
    name: str  # the language named in itself, for menus
    english_name: str
    direction: Literal["ltr", "rtl"]
    review_status: str
    reviewed_by: str | None
    gsm7_normalise: bool
    keywords: Mapping[str, tuple[str, ...]]  # command -> folded words
    numbers: Mapping[str, int]  # folded number word -> value
    messages: Mapping[str, MessageEntry] = field(default_factory=dict)
    source: str = ""  # file path, for error messages
    # Whole messages that ask for no more messages without a stop word ("leave me alone"):
    # each acts exactly like STOP. Stored as `phrase_key`s.
    stop_phrases: tuple[str, ...] = ()
    # Whole-message greetings ("hi", "shwmae"): a first message that is only one of them names
    # its language when the language guesser cannot. Stored as `phrase_key`s.
    greetings: tuple[str, ...] = ()
    # `sms.plain_letters`: a reviewed table of accented letter -> the same letter without its
    # accent, used on SMS for a person who writes without accents (bot.render.plain). Empty
    # for a language where dropping an accent can change a word's meaning.
    plain_letters: Mapping[str, str] = field(default_factory=dict)
    # `flows/words/<lang>.yaml` beside the catalogue; empty when the file is missing (LW-01).
    words: LanguageWords = LanguageWords()


@dataclass(frozen=True)
class ResolvedText:
    text: str
    language: str  # the language the text is actually in
    fallback: bool  # True when English stood in for a missing translation
    direction: Literal["ltr", "rtl"]


class _Params(dict[str, str]):
    """Leaves unknown placeholders visible rather than raising mid-conversation."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Catalogue:
    languages: Mapping[str, LanguageInfo]  # in menu order

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.languages)

    @cached_property
    def stop_words(self) -> frozenset[str]:
        """Every language's folded STOP words: STOP works whatever language a person uses."""
        return frozenset(
            word for info in self.languages.values() for word in info.keywords.get("stop", ())
        )

    @cached_property
    def connectors(self) -> frozenset[str]:
        """Every language's connectors ("and", "i", "aur"): people mix languages in a reply."""
        return frozenset(w for info in self.languages.values() for w in info.words.connectors)

    @property
    def word_lists(self) -> dict[str, LanguageWords]:
        """language -> its `flows/words/` lists."""
        return {code: info.words for code, info in self.languages.items()}

    @cached_property
    def stop_phrases(self) -> frozenset[str]:
        """Every language's stop phrases (`phrase_key`s): they work whatever the language."""
        return frozenset(p for info in self.languages.values() for p in info.stop_phrases)

    def is_stop_phrase(self, text: str) -> bool:
        """The whole message is a stop phrase, or a stop phrase of three or more words followed
        by at most two more ("no more texts please", "leave me alone now"). Shorter phrases
        only count alone: "please stop the cuts" is a view."""
        words = phrase_key(text).split()
        shortest = max(3, len(words) - STOP_PHRASE_EXTRA_WORDS)
        return " ".join(words) in self.stop_phrases or any(
            " ".join(words[:cut]) in self.stop_phrases for cut in range(shortest, len(words))
        )

    def greeting_language(self, text: str) -> str | None:
        """The one language whose greetings hold the whole message, else None (a greeting
        several languages share says nothing)."""
        found = self._greeting_languages(text)
        return found[0] if len(found) == 1 else None

    def is_greeting(self, text: str) -> bool:
        """True when the whole message is a greeting of any catalogue language."""
        return bool(self._greeting_languages(text))

    def _greeting_languages(self, text: str) -> list[str]:
        key = phrase_key(text)
        return [code for code, info in self.languages.items() if key and key in info.greetings]

    @property
    def message_ids(self) -> frozenset[str]:
        return frozenset(self.languages[BASE_LANGUAGE].messages)

    def has(self, language: str, text_id: str) -> bool:
        info = self.languages.get(language)
        return info is not None and text_id in info.messages

    def entry(self, language: str, text_id: str) -> MessageEntry | None:
        info = self.languages.get(language)
        return info.messages.get(text_id) if info else None

    def text(
        self,
        language: str | None,
        register: Register,
        text_id: str,
        params: Mapping[str, str] | None = None,
    ) -> ResolvedText:
        lang = language if language and language in self.languages else BASE_LANGUAGE
        entry = self.entry(lang, text_id)
        fallback = False
        if entry is None:
            entry = self.entry(BASE_LANGUAGE, text_id)
            fallback = lang != BASE_LANGUAGE
            lang = BASE_LANGUAGE
        if entry is None:
            raise CatalogueError(f"text id {text_id!r} is not in the catalogue")
        raw = entry.variant(register) or entry.standard
        text = raw.format_map(_Params(params or {})) if params is not None else raw
        return ResolvedText(text, lang, fallback, self.languages[lang].direction)

    def keyword_command(self, text: str) -> str | None:
        """The command a whole message names in any language (STOP, HELP, ...), or None. A
        stop phrase ("leave me alone") names STOP."""
        folded = fold(text).strip(" .!?¡¿,;:'\"")
        if not folded:
            return None
        if self.is_stop_phrase(text):
            return "stop"
        for info in self.languages.values():
            for command, words in info.keywords.items():
                if command in REPLY_WORD_LISTS:
                    continue
                if folded in words:
                    return command
        return None

    def words(self, language: str | None, command: str) -> tuple[str, ...]:
        """Command words in one language, with English always included as a safety net."""
        out: list[str] = []
        for code in (language, BASE_LANGUAGE):
            if code and code in self.languages:
                out.extend(self.languages[code].keywords.get(command, ()))
        return tuple(dict.fromkeys(out))

    def number_words(self, language: str | None) -> Mapping[str, int]:
        merged: dict[str, int] = {}
        for code in (BASE_LANGUAGE, language):
            if code and code in self.languages:
                merged.update(self.languages[code].numbers)
        return merged

    def placeholders(self, language: str, text_id: str) -> dict[str, frozenset[str]]:
        entry = self.entry(language, text_id)
        if entry is None:
            return {}
        return {
            "standard": frozenset(PLACEHOLDER.findall(entry.standard)),
            "easy": frozenset(PLACEHOLDER.findall(entry.easy)),
        }
