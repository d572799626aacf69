"""`fold` works word by word with a cache; it gives what folding the whole text at once gives
(the rule written out here character by character), for the catalogue, the training data and
any text at all."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.catalogue import load_catalogue
from bot.nlu.normalise import basic, fold, strip_accents
from bot.nlu.training_data import load_directory

NLU_DATA = Path(__file__).resolve().parents[2] / "nlu_data"

_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
_EXTRA = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ı": "i", "æ": "ae", "œ": "oe"})


def _latin(ch: str) -> bool:
    return ch.isascii() or "LATIN" in unicodedata.name(ch, "")


def whole_text_strip(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    kept = [
        ch
        for i, ch in enumerate(decomposed)
        if not (unicodedata.combining(ch) and i > 0 and _latin(decomposed[i - 1]))
    ]
    return _ARABIC_MARKS.sub("", unicodedata.normalize("NFC", "".join(kept)))


def whole_text_basic(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub("['\u2019`\u00b4\u02bc]", "", text)
    text = re.sub(r"(\w)\1{2,}", r"\1\1", text)
    kept = "".join(ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in text)
    return " ".join(kept.split())


def test_every_catalogue_and_training_text_folds_as_the_whole_text_does() -> None:
    catalogue = load_catalogue()
    texts = [
        text
        for info in catalogue.languages.values()
        for entry in info.messages.values()
        for text in (entry.standard, entry.easy)
    ]
    texts += [e.text for e in load_directory(NLU_DATA)]
    for text in texts:
        assert basic(text) == whole_text_basic(text)
        assert fold(text) == whole_text_strip(whole_text_basic(text))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_text_strips_as_the_whole_text_does(text: str) -> None:
    assert strip_accents(text) == whole_text_strip(text)
    assert basic(text) == whole_text_basic(text)
