"""Text normalisation shared by the classifier, the language guesser and the keyword lists.

`fold` is the matching form: NFKC, case-folded, diacritics removed (ł -> l, ş -> s,
ı -> i), letters repeated three or more times collapsed to two ("yesss" -> "yess"),
punctuation turned into spaces (apostrophes dropped: "don't" -> "dont"), whitespace collapsed.
Arabic-script short-vowel marks (harakat) are optional in writing, so they go too; Bengali
and Gurmukhi keep their combining marks, since there they are part of the letter.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_REPEATS = re.compile(r"(\w)\1{2,}")
_APOSTROPHES = re.compile("['\u2019`\u00b4\u02bc]")
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
# Letters NFD does not decompose into a base letter and an accent.
_EXTRA = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ı": "i", "æ": "ae", "œ": "oe"})


class _Spaces(dict[int, int]):
    """A `str.translate` table: letters, marks and numbers stay, anything else becomes a
    space. Each character's category is looked up once, on first sight."""

    def __missing__(self, code: int) -> int:
        kept = code if unicodedata.category(chr(code))[0] in "LMN" else 32
        self[code] = kept
        return kept


_SPACES = _Spaces()


def basic(text: str) -> str:
    """NFKC, case-folded, repeats collapsed, punctuation removed; accents kept."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _APOSTROPHES.sub("", text)
    text = _REPEATS.sub(r"\1\1", text)
    return " ".join(text.translate(_SPACES).split())


def strip_accents(text: str) -> str:
    """Diacritics removed from Latin letters (and Arabic short vowels), word by word: a space
    neither composes with nor reorders what follows it, so each word comes out as it would
    inside the whole text, and a word seen before is not worked out again."""
    first, *rest = text.split(" ")
    return " ".join([_strip(first), *(_strip_after_space(word) for word in rest)])


@lru_cache(maxsize=1 << 16)
def _strip_after_space(word: str) -> str:
    # As inside the text: a mark at the start of the word follows a space, a Latin character.
    return _strip(" " + word)[1:]


def _strip(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    kept = [
        ch
        for i, ch in enumerate(decomposed)
        if not (unicodedata.combining(ch) and i > 0 and _is_latin(decomposed[i - 1]))
    ]
    return _ARABIC_MARKS.sub("", unicodedata.normalize("NFC", "".join(kept)))


def fold(text: str) -> str:
    return strip_accents(basic(text))


def tokens(text: str) -> list[str]:
    """The folded words of `text`."""
    return fold(text).split()


def _is_latin(ch: str) -> bool:
    return ch.isascii() or "LATIN" in unicodedata.name(ch, "")
