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
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping
from dataclasses import dataclass
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


class PhraseFileError(ValueError):
    """A safeguarding phrase file is not a mapping of kinds to lists of text; names the file."""


def normalise(text: str) -> str:
    """The form phrases and messages are compared in: folded, Arabic variants unified."""
    return fold(text).translate(_ARABIC_VARIANTS)


def read_phrase_file(path: Path, cache: ParseCache | None = None) -> dict[str, tuple[str, ...]]:
    """kind -> phrases of one language file. Unknown keys are kept (the lint rule names them).
    With `cache`, YAML parsed before from the same content is read from disk."""
    try:
        text = path.read_text(encoding="utf-8")
        parsed = cache.load_yaml(text, SAFE_LOADER) if cache else yaml.load(text, SAFE_LOADER)
        doc = parsed or {}
    except yaml.YAMLError as exc:
        raise PhraseFileError(f"{path}: not YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise PhraseFileError(f"{path}: expected a mapping of kinds to lists of phrases")
    out: dict[str, tuple[str, ...]] = {}
    for kind, items in doc.items():
        if kind == "language":
            continue
        if not isinstance(items, list) or not all(isinstance(p, str) for p in items):
            raise PhraseFileError(f"{path}: `{kind}` must be a list of phrases")
        out[str(kind)] = tuple(" ".join(p.split()) for p in items if p.strip())
    return out


def load_phrases(
    directory: Path = PHRASES_DIR, cache: ParseCache | None = None
) -> dict[str, dict[str, tuple[str, ...]]]:
    """language -> kind -> phrases, from every `<lang>.yaml` in `directory`."""
    files = sorted(directory.glob("*.yaml")) if directory.is_dir() else []
    return {path.stem: read_phrase_file(path, cache) for path in files}


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


class PhraseMatcher:
    """Finds the first kind (in `KINDS` order) whose phrases, of any language, occur in a text."""

    def __init__(
        self,
        phrases: Mapping[str, Mapping[str, tuple[str, ...]]],
        cache: ParseCache | None = None,
    ) -> None:
        """`cache`: where the phrases' normalised forms are kept between starts, by the
        phrases and the normalising code (most of the matcher's start-up)."""
        self._phrases = {lang: dict(kinds) for lang, kinds in phrases.items()}
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

    def match(self, text: str) -> str | None:
        """A kind of `KINDS`, or None when no listed phrase occurs in `text`."""
        folded = normalise(text)
        padded = f"\n {folded} \n"
        words = frozenset(folded.split())
        for kind, compiled in self._compiled:
            if compiled.search(padded, words):
                return kind
        return None


@functools.cache
def default_matcher() -> PhraseMatcher:
    """The phrases shipped in `flows/safeguarding/`, loaded once per process."""
    return PhraseMatcher(load_phrases(PHRASES_DIR))


def match_safeguarding(text: str) -> str | None:
    """The kind of the first shipped phrase found in `text` (see `PhraseMatcher.match`)."""
    return default_matcher().match(text)


def phrases(kind: str, language: str) -> tuple[str, ...]:
    """The shipped phrases of one kind in one language (for review and tests)."""
    return default_matcher().phrases(kind, language)
