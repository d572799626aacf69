"""SMS segment counts as Twilio bills them, checked against `smsutil` (which matched Twilio's own
calculator) and against counts worked out by hand."""

from __future__ import annotations

import pytest
import smsutil

from bot.render.segments import sms_encoding_and_segments

APOSTROPHE_139 = "I’m " + "a" * 135  # one curly apostrophe in a 139-character text

CASES = [
    # (name, text, encoding, segments)
    ("plain English", "Hello, thank you for your time.", "GSM-7", 1),
    ("160 GSM characters", "a" * 160, "GSM-7", 1),
    ("161 GSM characters", "a" * 161, "GSM-7", 2),
    ("306 GSM characters", "a" * 306, "GSM-7", 2),
    ("307 GSM characters", "a" * 307, "GSM-7", 3),
    ("80 extension characters", "{" * 80, "GSM-7", 1),
    ("81 extension characters", "{" * 81, "GSM-7", 2),
    ("euro sign at the limit", "a" * 158 + "€", "GSM-7", 1),
    ("extension char never split", "a" * 152 + "€" + "a" * 152, "GSM-7", 3),
    ("every extension char", "^{}\\[~]|€\f", "GSM-7", 1),
    ("GSM accents", "Café à Ørsted, Ñandu, §5, ¿qué?", "GSM-7", 1),
    ("curly apostrophe", APOSTROPHE_139, "UCS-2", 3),
    ("straight apostrophe", APOSTROPHE_139.replace("’", "'"), "GSM-7", 1),
    ("Welsh w-circumflex", "Croeso i’r ŵyl", "UCS-2", 1),
    ("Polish letters", "Zażółć gęślą jaźń. Proszę odpisać TAK lub NIE.", "UCS-2", 1),
    ("Polish ą ę ł ś ż", "ą ę ł ś ż", "UCS-2", 1),
    ("70 UCS-2 characters", "ą" * 70, "UCS-2", 1),
    ("71 UCS-2 characters", "ą" * 71, "UCS-2", 2),
    ("134 UCS-2 characters", "ł" * 134, "UCS-2", 2),
    ("135 UCS-2 characters", "ł" * 135, "UCS-2", 3),
    ("Urdu", "آپ کی رائے ہمارے لیے اہم ہے۔ جواب دینے کے لیے 1 یا 2 بھیجیں۔", "UCS-2", 1),
    ("Bengali", "আপনার মতামত আমাদের কাছে গুরুত্বপূর্ণ। উত্তর দিতে ১ বা ২ পাঠান।", "UCS-2", 1),
    ("emoji", "Thank you 😊", "UCS-2", 1),
    ("35 emoji", "😊" * 35, "UCS-2", 1),
    ("36 emoji", "😊" * 36, "UCS-2", 2),
    ("surrogate pair never split", "a" * 66 + "😊" + "a" * 66, "UCS-2", 3),
]


def smsutil_count(text: str) -> tuple[str, int, int]:
    result = smsutil.split(text)
    if result.encoding == "gsm0338":
        return "GSM-7", len(result.parts), result.total_bytes
    return "UCS-2", len(result.parts), result.total_bytes // 2


@pytest.mark.parametrize(("name", "text", "encoding", "segments"), CASES, ids=[c[0] for c in CASES])
def test_segments_match_twilio_and_smsutil(
    name: str, text: str, encoding: str, segments: int
) -> None:
    size = sms_encoding_and_segments(text)
    assert (size.encoding, size.segments) == (encoding, segments)
    assert (size.encoding, size.segments, size.units) == smsutil_count(text)
    assert size.characters == len(text)


@pytest.mark.parametrize(
    ("text", "units"),
    [("€", 2), ("Hi", 2), ("😊", 2), ("ŵ", 1), ("a\fb", 4)],
)
def test_units_count_septets_or_utf16(text: str, units: int) -> None:
    assert sms_encoding_and_segments(text).units == units


def test_empty_text_is_no_segment() -> None:
    assert sms_encoding_and_segments("").segments == 0
