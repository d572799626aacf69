"""Safeguarding phrases: the keyword net of the safeguarding screen (bot.nlu.screening).

The phrases are data, one file per language: `flows/safeguarding/<lang>.yaml`, with one list
per kind:

* `immediate_danger`: danger happening now or tonight ("he is here now with a knife", "im going
  to do it tonight", "someone is breaking in"); checked first.
* `risk_to_self`: suicide, self-harm, wanting to die.
* `harm_from_others`: abuse, violence, threats, neglect, money taken.
* `help_request`: a call for help that names no kind ("help me", "please help", "somebody
  help"), or distress that may be despair or a bad day ("im done with everything$", "mam dość
  wszystkiego$"): an uncertain sign, answered with a check-in, not the help reply.

A listed phrase of the first three kinds is a clear disclosure, so phrases are narrowed until
they leave ordinary messages alone: the evaluation sets in `bench/data/` (never used to choose
phrases after they were written) measure how often they fire on ordinary messages.

Matching is on folded text (`bot.nlu.normalise.fold`: lower-case, no Latin diacritics, no
punctuation, apostrophes dropped) with Arabic-script letter variants unified, whole words
only. A phrase ending in `*` matches any word that starts with it ("suicid*" matches
"suicidal"). A phrase ending in `$` matches only at the end of the message ("cant go on$",
"help me$"): ordinary words when a sentence carries on ("cant go on the trips", "help me fill
in the form"). A phrase starting with `^` matches only at the start. Romanised Urdu, Punjabi,
Bengali and Arabic are listed beside the native script. Every language's phrases are matched
whatever the message's language: people mix languages, and a guess of the language can be wrong.

Patterns generalise beyond listed wording. A file may also hold `words:` (word classes of that
language: name -> entries, each matched as a phrase is) and `patterns:` (kind -> patterns). A
pattern is a sequence of literal words (`word*` a prefix), `{class}` (any entry of the class),
and `~` (a gap of up to `MAX_GAP_WORDS` other words), optionally anchored with `^` / `$`:
"{partner} ~ {hit} {me}" meets "my ex boyfriend keeps slapping me". A pattern's match is less
certain than a listed phrase: it earns the kind check-in, not the help reply
(`PhraseMatcher.match_pattern`, bot.nlu.screening). A class used but not defined in the file is
an error naming the file, kind and pattern.

Idioms that say nothing of risk ("die laughing", "umieram ze śmiechu", "اموت من الضحك") are
listed under `ordinary:` in the same file (phrase syntax, without anchors). They are cut out of
a message, whatever its language, before phrases and patterns are looked for, so "i want to die
laughing" is not "want to die"; "i want to die laughing, really i want to die" still is. An
idiom is listed only when it is ordinary in every use: "killing me" is not one ("my feet are
killing me", but also "he is killing me"). The classifier's part of the screen sees the whole
message.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import yaml

from bot.nlu import normalise as normalise_module
from bot.nlu.normalise import fold
from bot.parse_cache import ParseCache
from bot.yamlio import SAFE_LOADER

RISK_TO_SELF = "risk_to_self"
HARM_FROM_OTHERS = "harm_from_others"
IMMEDIATE_DANGER = "immediate_danger"
HELP_REQUEST = "help_request"
# Checked in this order: danger now first, then the person's own safety, then harm from others,
# then a bare call for help.
KINDS: tuple[str, ...] = (IMMEDIATE_DANGER, RISK_TO_SELF, HARM_FROM_OTHERS, HELP_REQUEST)

PHRASES_DIR = Path(__file__).resolve().parents[2] / "flows" / "safeguarding"

# Arabic and Urdu write some letters differently; people mix them on phone keyboards.
_ARABIC_VARIANTS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه"}
    | {"ۀ": "ه", "ہ": "ه", "ھ": "ه", "ؤ": "و", "ئ": "ی"}
)


WORDS = "words"
PATTERNS = "patterns"
ORDINARY = "ordinary"
# What an idiom is replaced by: a word no phrase or class entry holds, so no phrase is made of
# the words either side of it, and a pattern's gap counts it as one word.
_CUT = "\x00"
GAP = "~"
MAX_GAP_WORDS = 3
_CLASS = re.compile(r"^\{([a-z0-9_]+)\}$")


class PhraseFileError(ValueError):
    """A safeguarding phrase file is not a mapping of kinds to lists of text; names the file."""


@dataclass(frozen=True)
class PatternSet:
    """One language's word classes, patterns (kind -> patterns) and ordinary idioms (cut out
    of a message before it is matched)."""

    words: Mapping[str, tuple[str, ...]]
    patterns: Mapping[str, tuple[str, ...]]
    ordinary: tuple[str, ...] = ()


def normalise(text: str) -> str:
    """The form phrases and messages are compared in: folded, Arabic variants unified."""
    return fold(text).translate(_ARABIC_VARIANTS)


def _read_document(path: Path, cache: ParseCache | None) -> dict[object, object]:
    """One language file, parsed (with `cache`, YAML parsed before from the same content is
    read from disk)."""
    try:
        text = path.read_text(encoding="utf-8")
        parsed = cache.load_yaml(text, SAFE_LOADER) if cache else yaml.load(text, SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise PhraseFileError(f"{path}: not YAML: {exc}") from exc
    doc = parsed or {}
    if not isinstance(doc, dict):
        raise PhraseFileError(f"{path}: expected a mapping of kinds to lists of phrases")
    return doc


def _phrases_in(path: Path, doc: Mapping[object, object]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for kind, items in doc.items():
        if kind in ("language", WORDS, PATTERNS, ORDINARY):
            continue
        if not isinstance(items, list) or not all(isinstance(p, str) for p in items):
            raise PhraseFileError(f"{path}: `{kind}` must be a list of phrases")
        out[str(kind)] = tuple(" ".join(p.split()) for p in items if p.strip())
    return out


def _patterns_in(path: Path, doc: Mapping[object, object]) -> PatternSet:
    words = _string_lists(path, WORDS, doc.get(WORDS) or {})
    patterns = _string_lists(path, PATTERNS, doc.get(PATTERNS) or {})
    for kind, listed in patterns.items():
        if kind not in KINDS:
            raise PhraseFileError(f"{path}: patterns: unknown kind `{kind}`: use {KINDS}")
        for pattern in listed:
            problem = _pattern_problem(pattern, words)
            if problem:
                raise PhraseFileError(f"{path}: patterns: {kind}: {pattern!r}: {problem}")
    ordinary = doc.get(ORDINARY) or []
    if not isinstance(ordinary, list) or not all(isinstance(i, str) for i in ordinary):
        raise PhraseFileError(f"{path}: `{ORDINARY}` must be a list of idioms")
    for idiom in ordinary:
        if idiom.startswith("^") or idiom.endswith("$") or not normalise(idiom.rstrip("*")):
            raise PhraseFileError(
                f"{path}: {ORDINARY}: {idiom!r}: an idiom is words, without `^` or `$`"
            )
    return PatternSet(words, patterns, tuple(" ".join(i.split()) for i in ordinary))


def read_language_file(
    path: Path, cache: ParseCache | None = None
) -> tuple[dict[str, tuple[str, ...]], PatternSet]:
    """kind -> phrases of one language file (unknown keys are kept: the lint rule names them),
    and its `words:`, `patterns:` and `ordinary:` (each may be absent), checked: every class
    a pattern uses is defined, no pattern starts or ends with a gap, kinds are known, idioms
    are unanchored words. The file is read once."""
    doc = _read_document(path, cache)
    return _phrases_in(path, doc), _patterns_in(path, doc)


def read_phrase_file(path: Path, cache: ParseCache | None = None) -> dict[str, tuple[str, ...]]:
    """The phrases of `read_language_file`."""
    return _phrases_in(path, _read_document(path, cache))


def read_pattern_file(path: Path, cache: ParseCache | None = None) -> PatternSet:
    """The word classes, patterns and idioms of `read_language_file`."""
    return _patterns_in(path, _read_document(path, cache))


def _string_lists(path: Path, key: str, value: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise PhraseFileError(f"{path}: `{key}` must map names to lists of text")
    out: dict[str, tuple[str, ...]] = {}
    for name, items in value.items():
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise PhraseFileError(f"{path}: {key}: `{name}` must be a list of text")
        out[str(name)] = tuple(" ".join(i.split()) for i in items)
    return out


def _pattern_problem(pattern: str, words: Mapping[str, tuple[str, ...]]) -> str | None:
    tokens = pattern.removeprefix("^").removesuffix("$").split()
    if not tokens:
        return "empty"
    if tokens[0] == GAP or tokens[-1] == GAP:
        return f"cannot start or end with `{GAP}`"
    for a, b in pairwise(tokens):
        if a == b == GAP:
            return f"two `{GAP}` in a row"
    for token in tokens:
        found = _CLASS.match(token)
        if found and found.group(1) not in words:
            return f"unknown word class `{token}` (define it under `{WORDS}:`)"
        if not found and ("{" in token or "}" in token):
            return f"`{token}`: a class is written `{{name}}`"
    return None


def _language_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.yaml")) if directory.is_dir() else []


def load_patterns(
    directory: Path = PHRASES_DIR, cache: ParseCache | None = None
) -> dict[str, PatternSet]:
    """language -> its word classes, patterns and idioms, from every `<lang>.yaml` in
    `directory`."""
    return {path.stem: read_pattern_file(path, cache) for path in _language_files(directory)}


def load_phrases(
    directory: Path = PHRASES_DIR, cache: ParseCache | None = None
) -> dict[str, dict[str, tuple[str, ...]]]:
    """language -> kind -> phrases, from every `<lang>.yaml` in `directory`."""
    return {path.stem: read_phrase_file(path, cache) for path in _language_files(directory)}


@dataclass(frozen=True)
class _Compiled:
    """One kind's phrases, indexed by their first word so a message is compared only with
    the phrases that could occur in it. Each phrase is kept padded as it must appear in the
    padded message: " phrase " (or with "\n" for an anchor at that end); a prefix phrase
    ("stem*") without its trailing space."""

    by_first_word: dict[str, tuple[str, ...]]
    # Phrases whose first word is itself a prefix ("suicid*", "samobojst*"): first-word stems
    # with their phrases.
    by_first_stem: tuple[tuple[str, tuple[str, ...]], ...]

    def search(self, padded: str, words: frozenset[str]) -> bool:
        for word in words:
            candidates = self.by_first_word.get(word)
            if candidates and any(p in padded for p in candidates):
                return True
        return any(
            any(w.startswith(stem) for w in words) and any(p in padded for p in phrases)
            for stem, phrases in self.by_first_stem
        )


def _body(phrase: str) -> str:
    """A phrase without its anchors (`^`, `$`) and prefix mark (`*`): what is normalised."""
    return phrase.removeprefix("^").removesuffix("$").removesuffix("*")


def _compile(phrases: list[str], forms: Mapping[str, str]) -> _Compiled:
    """`forms`: `normalise(_body(phrase))` of every phrase."""
    by_word: dict[str, set[str]] = {}
    by_stem: dict[str, set[str]] = {}
    for phrase in phrases:
        start = "\n" if phrase.startswith("^") else ""
        body = phrase.removeprefix("^")
        end = "\n" if body.endswith("$") else ""
        body = body.removesuffix("$")
        prefix = body.endswith("*")
        text = forms[body.removesuffix("*")]
        if not text:
            continue
        padded = f"{start} {text}" if prefix else f"{start} {text} {end}"
        first, _, rest = text.partition(" ")
        if prefix and not rest:
            by_stem.setdefault(first, set()).add(padded)
        else:
            by_word.setdefault(first, set()).add(padded)
    return _Compiled(
        {word: tuple(sorted(p)) for word, p in by_word.items()},
        tuple((stem, tuple(sorted(p))) for stem, p in sorted(by_stem.items())),
    )


def _entry_regex(entry: str) -> str:
    """A class entry or literal word as a regex over normalised text (no surrounding spaces)."""
    prefix = entry.endswith("*")
    form = normalise(entry.removesuffix("*"))
    body = " ".join(re.escape(word) for word in form.split())
    return body + (r"\S*" if prefix else "")


def _pattern_regex(pattern: str, words: Mapping[str, tuple[str, ...]]) -> str | None:
    """The pattern as a regex over the padded message (a newline and a space, the folded
    text, a space and a newline), each element followed by a space; None when an element
    normalises to nothing."""
    start = pattern.startswith("^")
    end = pattern.endswith("$")
    out = ["\n " if start else " "]
    for token in pattern.removeprefix("^").removesuffix("$").split():
        if token == GAP:
            out.append(f"(?:\\S+ ){{0,{MAX_GAP_WORDS}}}")
            continue
        found = _CLASS.match(token)
        entries = words[found.group(1)] if found else (token,)
        alternatives = sorted({r for r in map(_entry_regex, entries) if r}, key=len, reverse=True)
        if not alternatives:
            return None
        out.append(f"(?:{'|'.join(alternatives)}) ")
    if end:
        out.append("\n")
    return "".join(out)


class _CompiledPatterns:
    """One kind's patterns of every language, compiled when first needed (most commands never
    screen a message)."""

    def __init__(self, sources: tuple[tuple[str, Mapping[str, tuple[str, ...]]], ...]) -> None:
        self._sources = sources  # (pattern, its language's word classes)
        self._regex: re.Pattern[str] | None = None

    def search(self, padded: str) -> bool:
        if not self._sources:
            return False
        if self._regex is None:
            parts = [r for p, words in self._sources if (r := _pattern_regex(p, words))]
            self._regex = re.compile("|".join(f"(?:{r})" for r in parts) or "(?!)")
        return self._regex.search(padded) is not None


def _idiom_regex(idioms: list[str]) -> re.Pattern[str] | None:
    """Every idiom as one regex over the padded message, whole words (a trailing `*`: any word
    starting so); longest first, so the longest idiom at a place is cut."""
    parts = sorted({r for r in map(_entry_regex, idioms) if r}, key=len, reverse=True)
    if not parts:
        return None
    return re.compile(f"(?<=\\s)(?:{'|'.join(parts)})(?=\\s)")


class PhraseMatcher:
    """Finds the first kind (in `KINDS` order) whose phrases, of any language, occur in a text."""

    def __init__(
        self,
        phrases: Mapping[str, Mapping[str, tuple[str, ...]]],
        cache: ParseCache | None = None,
        patterns: Mapping[str, PatternSet] | None = None,
    ) -> None:
        """`cache`: where the phrases' normalised forms are kept between starts, by the
        phrases and the normalising code (most of the matcher's start-up). `patterns`:
        language -> its word classes, patterns (`match_pattern`) and idioms (cut out of a
        message before either match)."""
        self._phrases = {lang: dict(kinds) for lang, kinds in phrases.items()}
        sets = dict(patterns or {})
        self._idioms = _idiom_regex([i for lang in sorted(sets) for i in sets[lang].ordinary])
        self._patterns = tuple(
            (
                kind,
                _CompiledPatterns(
                    tuple(
                        (pattern, sets[lang].words)
                        for lang in sorted(sets)
                        for pattern in sets[lang].patterns.get(kind, ())
                    )
                ),
            )
            for kind in KINDS
        )
        bodies = sorted(
            {_body(p) for kinds in phrases.values() for listed in kinds.values() for p in listed}
        )

        def normalise_all() -> dict[str, str]:
            return {body: normalise(body) for body in bodies}

        if cache is None:
            forms = normalise_all()
        else:
            code = (normalise_module, sys.modules[__name__])
            forms = cache.computed("safeguarding-phrases", bodies, normalise_all, code)
        self._compiled = tuple(
            (kind, _compile([p for kinds in phrases.values() for p in kinds.get(kind, ())], forms))
            for kind in KINDS
        )

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self._phrases))

    def phrases(self, kind: str, language: str) -> tuple[str, ...]:
        return self._phrases.get(language, {}).get(kind, ())

    def _padded(self, text: str) -> str:
        """`text` normalised, its idioms cut, between a newline and a space at each end."""
        padded = f"\n {normalise(text)} \n"
        if self._idioms is not None:
            padded = self._idioms.sub(_CUT, padded)
        return padded

    def match(self, text: str) -> str | None:
        """A kind of `KINDS`, or None when no listed phrase occurs in `text` (its idioms cut)."""
        padded = self._padded(text)
        words = frozenset(padded.split())
        for kind, compiled in self._compiled:
            if compiled.search(padded, words):
                return kind
        return None

    def match_pattern(self, text: str) -> str | None:
        """A kind of `KINDS` whose patterns, of any language, meet `text` (its idioms cut);
        None otherwise."""
        padded = self._padded(text)
        for kind, compiled in self._patterns:
            if compiled.search(padded):
                return kind
        return None


def load_matcher(directory: Path = PHRASES_DIR, cache: ParseCache | None = None) -> PhraseMatcher:
    """The phrases and patterns of every `<lang>.yaml` in `directory`, each file read once."""
    read = {path.stem: read_language_file(path, cache) for path in _language_files(directory)}
    return PhraseMatcher(
        {lang: phrases for lang, (phrases, _) in read.items()},
        cache,
        patterns={lang: patterns for lang, (_, patterns) in read.items()},
    )


@functools.cache
def default_matcher() -> PhraseMatcher:
    """The phrases and patterns shipped in `flows/safeguarding/`, loaded once per process."""
    return load_matcher(PHRASES_DIR)


def match_safeguarding(text: str) -> str | None:
    """The kind of the first shipped phrase found in `text` (see `PhraseMatcher.match`)."""
    return default_matcher().match(text)


def phrases(kind: str, language: str) -> tuple[str, ...]:
    """The shipped phrases of one kind in one language (for review and tests)."""
    return default_matcher().phrases(kind, language)
