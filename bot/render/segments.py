"""SMS size as Twilio counts it: encoding, characters, units and segments.

GSM-7: every character of the basic set is one septet, every character of the extension table
two (an escape and the character). 160 septets fit one SMS; a longer message is split into parts
of 153. One character outside GSM-7 makes the whole message UCS-2, counted in UTF-16 code units
(an emoji outside the Basic Multilingual Plane is 2): 70 fit one SMS, parts hold 67.
A part never splits a character: an extension character or a surrogate pair that does not fit
starts the next part, which is why the count is made part by part, not by division.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class SmsSize:
    encoding: Encoding
    characters: int  # Unicode code points, as a person would count them
    segments: int  # SMS parts billed; 0 for an empty text, which is never sent
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _unit_cost(ch: str, encoding: Encoding) -> int:
    if encoding == "GSM-7":
        return 2 if ch in GSM7_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1


def sms_encoding_and_segments(text: str) -> SmsSize:
    encoding: Encoding = "GSM-7" if is_gsm7(text) else "UCS-2"
    single, part = (GSM7_SINGLE, GSM7_PART) if encoding == "GSM-7" else (UCS2_SINGLE, UCS2_PART)
    costs = [_unit_cost(ch, encoding) for ch in text]
    units = sum(costs)
    if units == 0:
        return SmsSize(encoding, len(text), 0, 0)
    if units <= single:
        return SmsSize(encoding, len(text), 1, units)
    segments, used = 1, 0
    for cost in costs:
        if used + cost > part:
            segments, used = segments + 1, 0
        used += cost
    return SmsSize(encoding, len(text), segments, units)


def split_segments(text: str) -> list[str]:
    """The parts an SMS of `text` is sent in, as `sms_encoding_and_segments` counts them (a
    preview of how a long message arrives); one part when it fits a single SMS."""
    size = sms_encoding_and_segments(text)
    if size.segments <= 1:
        return [text] if text else []
    part = GSM7_PART if size.encoding == "GSM-7" else UCS2_PART
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for ch in text:
        cost = _unit_cost(ch, size.encoding)
        if used + cost > part:
            parts.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += cost
    parts.append("".join(current))
    return parts
