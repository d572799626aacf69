"""Sentences and words of a catalogue text, as the easy-read rules count them.

Sentences end at `. ! ?`, the Urdu full stop `۔`, the danda `।`, the Arabic question mark `؟`
(each followed by a space or the end) and at every line break, since an SMS line reads as a
sentence. A word is a run of non-space characters holding a letter or digit, so a `{placeholder}`
is one word whatever it is filled with, and a lone dash is no word.
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?۔।؟…])\s+|\s*\n\s*")
_WORDISH = re.compile(r"\w")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip() and words(s)]


def words(text: str) -> list[str]:
    return [token for token in text.split() if _WORDISH.search(token)]


def bare_words(text: str) -> list[str]:
    """Words without surrounding punctuation, for comparing against word lists."""
    return [w.strip(".,;:!?\"'()[]«»„“”‘’¿¡۔؟،") for w in words(text)]
