"""Per-language word lists beside the catalogue: `flows/words/<lang>.yaml`.

What Heard needs to know about a language beyond its translations, as data, one file per
language (the shape is in docs/DESIGN.md, "Per-language data"):

* `everyday`: short replies and everyday words of the language (romanised forms under the
  language they romanise): the language guesser's built-in vocabulary (bot.nlu.langid), added
  to the catalogue's own words;
* `replies`: whole-message replies that name their language ("tak" is Polish, "da" Romanian);
* `letters`: letters that, among Heard's Latin-script languages, only this one writes
  (optional: most languages have none);
* `connectors`: the words people put between the numbers of a multiple answer ("1 and 3",
  "1 i 3"), read by bot.engine.replies in every language.

`heard lint` (LW-01, bot.lint.words) requires a file with every list for every catalogue
language; a missing file here never stops Heard from starting.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

import yaml

from bot.catalogue.model import LanguageWords, fold
from bot.yamlio import SAFE_LOADER

# The lists every language must have (LW-01), and the one that may be empty.
REQUIRED: tuple[str, ...] = ("everyday", "replies", "connectors")
OPTIONAL: tuple[str, ...] = ("letters", "meaning_letters", "easy_read")
# `easy_read`: the catalogue lint's word lists (bot.lint.config reads them), each optional.
EASY_READ_LISTS: tuple[str, ...] = (
    "conjunctions", "acronyms", "abbreviations", "number_words", "negations"
)

WORDS_DIR = Path(__file__).resolve().parents[2] / "flows" / "words"
__all__ = ["LanguageWords", "WordsFileError", "default_words", "load_words", "read_words_file"]



class WordsFileError(ValueError):
    """A word list file is not a mapping of list names to lists of text; names the file."""


def read_words_file(path: Path) -> dict[str, tuple[str, ...]]:
    """list name -> entries of one file, as written (unknown names are kept: lint names them)."""
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}
    except yaml.YAMLError as exc:
        raise WordsFileError(f"{path}: not YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise WordsFileError(f"{path}: expected a mapping of list names to lists of words")
    out: dict[str, tuple[str, ...]] = {}
    for name, items in doc.items():
        if name == "language":
            continue
        if name == "easy_read":
            out[name] = _easy_read_names(path, items)
            continue
        if name in ("letters", "meaning_letters") and isinstance(items, str):
            items = list(items)
        if items is None:
            items = []
        if not isinstance(items, list) or not all(isinstance(w, str) for w in items):
            raise WordsFileError(f"{path}: `{name}` must be a list of words")
        out[str(name)] = tuple(" ".join(w.split()) for w in items if w.strip())
    return out


def _easy_read_names(path: Path, section: object) -> tuple[str, ...]:
    """The list names of an `easy_read` section, after checking its shape."""
    if not isinstance(section, dict):
        raise WordsFileError(f"{path}: `easy_read` must map list names to lists of words")
    for name, items in section.items():
        if name not in EASY_READ_LISTS:
            raise WordsFileError(f"{path}: unknown easy-read list `{name}`: use {EASY_READ_LISTS}")
        if not isinstance(items, list) or not all(isinstance(w, str) for w in items):
            raise WordsFileError(f"{path}: `easy_read.{name}` must be a list of words")
    return tuple(str(name) for name in section)


def read_easy_read(path: Path) -> dict[str, tuple[str, ...]]:
    """The `easy_read` lists of one file as written (case kept); {} when it has none."""
    doc = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}
    section = doc.get("easy_read") if isinstance(doc, dict) else None
    if section is None:
        return {}
    _easy_read_names(path, section)
    return {str(name): tuple(str(w) for w in items) for name, items in section.items()}


def words_of(lists: Mapping[str, tuple[str, ...]]) -> LanguageWords:
    def folded(name: str) -> frozenset[str]:
        return frozenset(f for f in (fold(w) for w in lists.get(name, ())) if f)

    return LanguageWords(
        everyday=folded("everyday"),
        replies=folded("replies"),
        # Letters are compared as written in the text (lower-case), never folded away.
        letters=frozenset(w.lower() for w in lists.get("letters", ()) if len(w) == 1),
        connectors=folded("connectors"),
    )


def words_dir(catalogue_dir: Path) -> Path:
    """Where the word lists of a catalogue directory live: `words/` beside it."""
    return catalogue_dir.parent / "words"


def load_words(directory: Path = WORDS_DIR) -> dict[str, LanguageWords]:
    """language -> its word lists, from every `<lang>.yaml` in `directory` (none: empty)."""
    files = sorted(directory.glob("*.yaml")) if directory.is_dir() else []
    return {path.stem: words_of(read_words_file(path)) for path in files}


@functools.cache
def default_words() -> dict[str, LanguageWords]:
    """The lists shipped in `flows/words/`, loaded once per process."""
    return load_words(WORDS_DIR)
