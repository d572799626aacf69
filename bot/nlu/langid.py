"""Heard's language guesser: which of Heard's languages is a message in?

Evidence, strongest first:

* script: Gurmukhi is Punjabi, Bengali script is Bengali; Arabic script is Urdu or Arabic,
  told apart by letters only one of them uses (Urdu ٹ ڈ ڑ ں ے ھ ہ ی ک گ پ چ ژ; Arabic
  ة ى ي ك أ إ), and by character statistics when neither kind occurs;
* vocabulary: the catalogue's keywords and texts, the training examples and each language's
  everyday words (`flows/words/<lang>.yaml`, `bot.catalogue.words`), per language
  (`vocabulary`: language -> folded tokens). A word that only one
  language's vocabulary holds ("tak", "ie", "haan", "da") is strong evidence; it is also the
  only evidence for romanised Urdu, Punjabi, Bengali and Arabic, which have no profile;
* character statistics: langdetect's n-gram profiles for Heard's languages, scored
  deterministically (every 1-3 gram of the text, naive Bayes, no random sampling), which on
  the development data is both more accurate and about ten times faster than langdetect's
  own detector;
* the stored language: a reply of one or two words keeps the stored language unless there is
  strong evidence against it: a different script, or a word that the other language's
  vocabulary holds and the stored language's does not. So "tak" moves an English session to
  Polish, while "ok", "stop" or "no" (in several vocabularies) never move anyone.

The answer is deterministic: the same text and stored language always give the same guess.
"""

from __future__ import annotations

import json
import math
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path

import langdetect

from bot.catalogue import Catalogue
from bot.catalogue.words import LanguageWords, default_words
from bot.nlu import normalise
from bot.nlu.base import LanguageGuess
from bot.nlu.normalise import basic, fold
from bot.parse_cache import ParseCache
from bot.terms import REGISTERS
from bot.yamlio import safe_load

SCRIPT_LANGUAGES = {"Gurmukhi": "pa", "Bengali": "bn"}
URDU_LETTERS = frozenset("ٹڈڑںےھہیکگپچژ")
ARABIC_LETTERS = frozenset("ةىيكأإ")
ARABIC_WORDS = frozenset({"في", "من", "على", "إلى", "الى", "هذا", "هذه", "التي", "الذي", "عن"})
# Greetings shared by speakers of several of Heard's languages (Urdu, Punjabi, Bengali, Arabic,
# Somali...): a message made only of these says nothing about the language, so it never
# guesses one (the person then picks from the menu).
SHARED_GREETING_WORDS = frozenset(
    {
        "as", "assalam", "assalaam", "assalamu", "asalam", "asalamu", "salam", "salaam",
        "salamu", "salaamu", "slm", "o", "u", "wa", "w", "alaikum", "alaykum", "aleikum",
        "alaikom", "alikum", "calaykum", "calaikum", "walaikum", "wa-alaikum", "wr", "wb",
        "السلام", "سلام", "عليكم", "علیکم", "ورحمة", "الله", "وبركاته",
    }
)

# Words every language's speakers use: never evidence of a language, and never a reason to
# move a person to another language.
UNIVERSAL_WORDS = frozenset(
    {"ok", "okay", "k", "stop", "start", "help", "menu", "sms", "hi", "hello", "no", "sorry"}
)

# Tuned on the development data in /work/shared/data/langid (see bench/nlu.py): unseen
# n-grams cost a tenth of the profile's rarest kept n-gram; small per-language offsets
# correct for profiles of different sizes.
_UNSEEN = 0.1
_OFFSETS: dict[str, float] = {"cy": 3.0, "en": 2.0, "so": 3.0}
_VOCAB_EXCLUSIVE = 12.0  # log-odds for a word that only one vocabulary holds
_VOCAB_SHARED = 2.0  # for a word several vocabularies hold (split between them)
_ROMANISED_BASE = 8.0  # log-odds below the best profile per word for profile-less languages
_STORED_PRIOR = 3.0
_SHORT_REPLY_WORDS = 2


_NO_LANGUAGE = ("", 0.0, False)


class HeardLanguageGuesser:
    """`LanguageGuesser` over `languages` (ISO 639-1 codes Heard speaks)."""

    def __init__(
        self,
        languages: Sequence[str],
        vocabulary: Mapping[str, set[str]] | None = None,
        words: Mapping[str, LanguageWords] | None = None,
        cache: ParseCache | None = None,
    ) -> None:
        """`words`: each language's word lists (default: the shipped `flows/words/`).
        `cache`: where the folded vocabulary is kept between starts (see `_folded`)."""
        self.languages = tuple(languages)
        lists = default_words() if words is None else words
        empty = LanguageWords()
        self._replies = {lang: lists.get(lang, empty).replies for lang in self.languages}
        # Letters that, among the configured languages, only one writes.
        self._letters = {
            ch: lang for lang in self.languages for ch in lists.get(lang, empty).letters
        }
        everyday = {lang: lists.get(lang, empty).everyday for lang in self.languages}

        def merge() -> dict[str, list[str]]:
            merged: dict[str, set[str]] = {lang: set() for lang in self.languages}
            for lang in self.languages:
                merged[lang].update(everyday[lang])
            for lang, listed in (vocabulary or {}).items():
                if lang in merged:
                    merged[lang].update(t for w in listed for t in fold(w).split())
            return {lang: sorted(words) for lang, words in merged.items()}

        content = [
            self.languages,
            {lang: sorted(words) for lang, words in everyday.items()},
            {lang: sorted(listed) for lang, listed in (vocabulary or {}).items()},
        ]
        merged = _folded(cache, "langid-vocabulary", content, merge)
        self.vocabulary = {lang: frozenset(words) for lang, words in merged.items()}
        self._profiles = {
            lang: _profile(lang) for lang in self.languages if _profile_path(lang).exists()
        }
        self._latin = tuple(
            lang for lang in self._profiles if lang not in ("ar", "ur", "bn", "pa")
        )

    def guess(self, text: str, stored: str | None = None) -> LanguageGuess:
        stored = stored if stored in self.languages else None
        words = fold(text).split()
        if not words or all(w.strip(".,!?-") in SHARED_GREETING_WORDS for w in words):
            return _stored_or_none(stored, 0.5)
        script = self._by_script(text)
        if script == _NO_LANGUAGE:
            return _stored_or_none(stored, 0.5)
        if script is not None:
            language, confidence, exclusive = script
            short = len(words) <= _SHORT_REPLY_WORDS
            if stored and short and not exclusive and _same_script(stored, language):
                return LanguageGuess(stored, 0.6, "stored")
            return LanguageGuess(language, confidence, "script")
        return self._by_latin(text, words, stored)

    # -- script ---------------------------------------------------------------------------

    def _by_script(self, text: str) -> tuple[str, float, bool] | None:
        """(language, confidence, decided by exclusive letters); None for Latin text;
        `_NO_LANGUAGE` for a script none of the configured languages writes."""
        counts: dict[str, int] = {}
        for ch in text:
            if ch.isalpha():
                name = _script(ch)
                counts[name] = counts.get(name, 0) + 1
        if not counts:
            return None
        script = max(counts, key=lambda s: (counts[s], s))
        if script in SCRIPT_LANGUAGES:
            language = SCRIPT_LANGUAGES[script]
            return (language, 0.99, True) if language in self.languages else _NO_LANGUAGE
        if script != "Arabic":
            return None if script == "Latin" else _NO_LANGUAGE
        return self._arabic_or_urdu(text)

    def _arabic_or_urdu(self, text: str) -> tuple[str, float, bool] | None:
        candidates = [lang for lang in ("ur", "ar") if lang in self.languages]
        if not candidates:
            return _NO_LANGUAGE
        if len(candidates) == 1:
            return candidates[0], 0.9, True
        urdu = sum(ch in URDU_LETTERS for ch in text)
        arabic = sum(ch in ARABIC_LETTERS for ch in text)
        if urdu and not arabic:
            return "ur", 0.97, True
        if arabic and not urdu:
            return "ar", 0.97, True
        scores = self._profile_scores(basic(text), ("ur", "ar"))
        # Arabic function words and the article al- lean Arabic; Urdu borrows some of them.
        scores["ar"] += 2.0 * sum(
            w in ARABIC_WORDS or w.startswith("ال") for w in basic(text).split()
        )
        scores["ur"] += 2.0 * (urdu - arabic)
        language = max(scores, key=lambda k: scores[k])
        return language, _confidence(scores, language), False

    # -- Latin script ---------------------------------------------------------------------

    def _by_latin(self, text: str, words: list[str], stored: str | None) -> LanguageGuess:
        accented = basic(text)
        scores = self._profile_scores(accented, self._latin)
        best_profile = max(scores.values()) if scores else 0.0
        for lang in self.languages:
            if lang not in scores:
                unknown = sum(w not in self.vocabulary[lang] for w in words)
                scores[lang] = best_profile - _ROMANISED_BASE * unknown
        whole = " ".join(words)
        for lang in self.languages:
            if whole in self._replies[lang]:
                scores[lang] += _VOCAB_EXCLUSIVE
        for ch in accented:
            marked = self._letters.get(ch)
            if marked in scores:
                scores[marked] += _VOCAB_EXCLUSIVE
        exclusive_hits: dict[str, int] = {}
        for word in words:
            if word in UNIVERSAL_WORDS:
                continue
            holders = [lang for lang in self.languages if word in self.vocabulary[lang]]
            if len(holders) == 1:
                scores[holders[0]] += _VOCAB_EXCLUSIVE
                exclusive_hits[holders[0]] = exclusive_hits.get(holders[0], 0) + 1
            for lang in holders:
                scores[lang] += _VOCAB_SHARED / len(holders)
        if stored:
            scores[stored] += _STORED_PRIOR
        language = max(scores, key=lambda k: (scores[k], k == stored, k))
        confidence = _confidence(scores, language)
        if stored and language != stored and len(words) <= _SHORT_REPLY_WORDS:
            # A short reply flips only on a word the stored language's vocabulary lacks.
            strong = any(
                word in self.vocabulary[language]
                and word not in self.vocabulary[stored]
                and word not in UNIVERSAL_WORDS
                for word in words
            ) or any(self._letters.get(ch) == language for ch in accented)
            if not strong:
                return LanguageGuess(stored, 0.6, "stored")
        source = "catalogue" if exclusive_hits.get(language) else "langdetect"
        if language == stored and source != "catalogue" and len(words) <= _SHORT_REPLY_WORDS:
            return LanguageGuess(stored, max(0.6, confidence), "stored")
        if source == "langdetect" and language not in self._profiles:
            return _stored_or_none(stored, 0.5)
        return LanguageGuess(language, confidence * _length_factor(accented), source)

    def _profile_scores(self, text: str, languages: Iterable[str]) -> dict[str, float]:
        grams = _grams(text)
        scores: dict[str, float] = {}
        for lang in languages:
            profile = self._profiles.get(lang)
            if profile is None:
                continue
            logp, unseen = profile
            scores[lang] = _OFFSETS.get(lang, 0.0) + sum(
                logp.get(g, unseen[len(g) - 1]) for g in grams
            )
        return scores


def vocabulary_from_texts(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Folded tokens per language from (language, text) pairs: training examples, catalogue
    messages and keywords."""
    out: dict[str, set[str]] = {}
    for language, text in pairs:
        out.setdefault(language, set()).update(fold(text).split())
    return out


def catalogue_vocabulary(
    catalogue: Catalogue, cache: ParseCache | None = None
) -> dict[str, set[str]]:
    """Folded tokens per language from a loaded catalogue: every keyword, number word and
    message (placeholders dropped). The same words `catalogue_texts` reads from the files.
    `cache`: where the result is kept between starts (see `_folded`)."""
    placeholder = re.compile(r"\{[^}]*\}")
    pairs: list[tuple[str, str]] = []
    for code, info in catalogue.languages.items():
        for words in info.keywords.values():
            pairs.extend((code, word) for word in words)
        pairs.extend((code, word) for word in info.numbers)
        for entry in info.messages.values():
            pairs.append((code, placeholder.sub(" ", entry.standard)))
            pairs.append((code, placeholder.sub(" ", entry.easy)))

    def fold_all() -> dict[str, list[str]]:
        return {lang: sorted(words) for lang, words in vocabulary_from_texts(pairs).items()}

    folded = _folded(cache, "catalogue-vocabulary", pairs, fold_all)
    return {lang: set(words) for lang, words in folded.items()}


def _folded(
    cache: ParseCache | None,
    step: str,
    content: object,
    compute: Callable[[], dict[str, list[str]]],
) -> dict[str, list[str]]:
    """`compute()` (folded tokens per language, sorted), or the same read from `cache` when an
    earlier start computed it from the same `content` with the same folding code (this file
    and `bot.nlu.normalise`). Folding the vocabulary is most of the guesser's start-up (tens
    of thousands of words)."""
    if cache is None:
        return compute()
    code = (normalise, sys.modules[__name__])
    folded: dict[str, list[str]] = cache.computed(step, content, compute, code)
    return folded


def catalogue_texts(directory: Path) -> list[tuple[str, str]]:
    """(language, text) for every keyword, number word and message in
    `flows/catalogue/<lang>.yaml` (the shape in docs/DESIGN.md); placeholders are dropped."""
    placeholder = re.compile(r"\{[^}]*\}")
    out: list[tuple[str, str]] = []
    for path in sorted(directory.glob("*.yaml")):
        doc = safe_load(path.read_text(encoding="utf-8")) or {}
        language = str(doc.get("language") or path.stem)
        for words in (doc.get("keywords") or {}).values():
            out.extend((language, str(w)) for w in words or [])
        numbers = doc.get("numbers") or []
        out.extend((language, str(w)) for w in numbers)
        for message in (doc.get("messages") or {}).values():
            if isinstance(message, dict):
                for register in REGISTERS:
                    if isinstance(message.get(register), str):
                        out.append((language, placeholder.sub(" ", message[register])))
    return out


def _stored_or_none(stored: str | None, confidence: float) -> LanguageGuess:
    if stored:
        return LanguageGuess(stored, confidence, "stored")
    return LanguageGuess(None, 0.0, "none")


def _same_script(a: str, b: str) -> bool:
    return {a, b} <= {"ar", "ur"}


def _confidence(scores: Mapping[str, float], language: str) -> float:
    top = scores[language]
    total = sum(math.exp(max(s - top, -50.0)) for s in scores.values())
    return 1.0 / total


def _length_factor(text: str) -> float:
    """Short texts carry less evidence whatever the scores say."""
    letters = sum(ch.isalpha() for ch in text)
    return min(1.0, 0.5 + letters / 20)


@cache
def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    for script in ("ARABIC", "GURMUKHI", "BENGALI", "LATIN"):
        if name.startswith(script):
            return script.capitalize()
    return "Other"


# langdetect's own character normalisation, so texts meet its profiles' n-grams.
_PROFILE_FORMS = str.maketrans({"ی": "ي", "ș": "ş", "ț": "ţ"})


def _grams(text: str) -> list[str]:
    out: list[str] = []
    for word in text.translate(_PROFILE_FORMS).split():
        padded = f" {word} "
        for n in (1, 2, 3):
            out.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return [g for g in out if g != " "]


def _profile_path(language: str) -> Path:
    return Path(langdetect.__file__).parent / "profiles" / language


@cache
def _profile(language: str) -> tuple[dict[str, float], tuple[float, float, float]]:
    """(log P(gram), log P(unseen gram) per gram length) from langdetect's profile."""
    doc = json.loads(_profile_path(language).read_text(encoding="utf-8"))
    totals: list[int] = doc["n_words"]
    counts: dict[str, int] = {}
    for gram, count in doc["freq"].items():
        key = gram.lower()
        counts[key] = counts.get(key, 0) + int(count)
    rarest = [min((c for g, c in counts.items() if len(g) == n), default=1) for n in (1, 2, 3)]
    logp = {g: math.log(c / totals[len(g) - 1]) for g, c in counts.items()}
    unseen = tuple(math.log(_UNSEEN * rarest[i] / totals[i]) for i in range(3))
    return logp, (unseen[0], unseen[1], unseen[2])
