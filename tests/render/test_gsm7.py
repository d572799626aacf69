"""GSM-7 normalisation: typography becomes GSM-7 only when that saves the whole message, and
letters, marks and direction controls of any language are never touched."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.render.gsm7 import normalise_for_gsm7
from bot.render.segments import is_gsm7, sms_encoding_and_segments

NORMALISED = [
    ("It’s ‘fine’", "It's 'fine'"),
    ("“Yes” or “No”", '"Yes" or "No"'),
    ("Mon–Fri — or weekends", "Mon-Fri - or weekends"),
    ("Wait…", "Wait..."),
    ("07700\u00a0900123", "07700 900123"),
    ("10\u202f000", "10 000"),
    ("• Yes\n• No", "- Yes\n- No"),
    ("co\u00adoperate", "cooperate"),
    ("Prosze odpisac „tak”", 'Prosze odpisac "tak"'),
    ("«Da» sau «Nu»", '"Da" sau "Nu"'),
    ("Plain text stays.", "Plain text stays."),
]

KEPT_EXACTLY = [
    ("Welsh ŵ keeps the curly apostrophe", "Croeso i’r ŵyl – diolch"),
    ("Polish letters keep the quotes", "Proszę odpisać „tak” – dziękujemy…"),
    ("Romanian ș ț", "Mulțumim – răspundeți „Da”"),
    ("Urdu with ZWNJ and RLM", "آپ\u200cکی رائے \u200f“اہم” ہے…"),
    ("Arabic with harakat and RLM", "مَرْحَبًا\u200f – شكرًا…"),
    ("Bengali with ZWJ", "র\u200d্যাব – ধন্যবাদ…"),
    ("Punjabi Gurmukhi", "ਤੁਹਾਡੀ ਰਾਇ – ਧੰਨਵਾਦ…"),
    ("emoji", "Thank you – 😊"),
]


@pytest.mark.parametrize(("text", "expected"), NORMALISED)
def test_typography_becomes_gsm7(text: str, expected: str) -> None:
    assert normalise_for_gsm7(text) == expected
    assert sms_encoding_and_segments(expected).encoding == "GSM-7"


@pytest.mark.parametrize(("name", "text"), KEPT_EXACTLY, ids=[c[0] for c in KEPT_EXACTLY])
def test_text_that_needs_ucs2_comes_out_intact(name: str, text: str) -> None:
    assert normalise_for_gsm7(text) == text


def test_curly_apostrophe_no_longer_triples_the_cost() -> None:
    text = "I’m " + "a" * 135
    assert sms_encoding_and_segments(text).segments == 3
    assert sms_encoding_and_segments(normalise_for_gsm7(text)).segments == 1


def _letters_and_marks(text: str) -> list[str]:
    return [ch for ch in text if unicodedata.category(ch)[0] in "LMN"]


@given(st.text())
def test_never_alters_a_letter_and_either_keeps_or_reaches_gsm7(text: str) -> None:
    out = normalise_for_gsm7(text)
    assert out == text or is_gsm7(out)
    assert _letters_and_marks(out) == _letters_and_marks(text)
