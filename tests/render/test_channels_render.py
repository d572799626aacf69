"""What a person sees on SMS and Telegram for one message with its choices."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import pytest

from bot.channels.telegram.render import render_telegram
from bot.channels.twilio_sms.render import render_sms
from bot.engine.events import Choice, MessageCreated

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SCALE = ["1", "2", "3", "4", "5"]


def message(
    text: str,
    labels: list[str],
    direction: Literal["ltr", "rtl"] = "ltr",
    language: str = "en",
) -> MessageCreated:
    return MessageCreated(
        at=AT,
        message_id="m-1",
        text_id="test.text",
        text=text,
        language=language,
        register="standard",
        choices=tuple(Choice(n, f"v{n}", label) for n, label in enumerate(labels, start=1)),
        direction=direction,
    )


SMS_CASES = [
    ("no choices", message("Thank you.", []), "Thank you."),
    ("yes/no", message("Shall we go on?", ["Yes", "No"]), "Shall we go on?\n1 Yes\n2 No"),
    (
        "choices one per line",
        message("What matters?", ["Getting there", "Staff", "Other"]),
        "What matters?\n1 Getting there\n2 Staff\n3 Other",
    ),
    ("scale on one line", message("How good?", SCALE), "How good?\n1 2 3 4 5"),
    (
        "scale then skip",
        message("How good?", [*SCALE, "Prefer not to say"]),
        "How good?\n1 2 3 4 5\n6 Prefer not to say",
    ),
    (
        "curly quotes normalised",
        message("It’s “quick”", ["Yes", "No"]),
        'It\'s "quick"\n1 Yes\n2 No',
    ),
    (
        "Arabic: text intact, number first",
        message("هل نتابع؟ \u200f“نعم”", ["نعم", "لا"], "rtl", "ar"),
        "هل نتابع؟ \u200f“نعم”\n1 نعم\n2 لا",
    ),
    (
        "Urdu: text intact, number first",
        message("کیا\u200cہم جاری رکھیں؟", ["ہاں", "نہیں"], "rtl", "ur"),
        "کیا\u200cہم جاری رکھیں؟\n1 ہاں\n2 نہیں",
    ),
]


@pytest.mark.parametrize(("name", "msg", "expected"), SMS_CASES, ids=[c[0] for c in SMS_CASES])
def test_sms_text(name: str, msg: MessageCreated, expected: str) -> None:
    rendering = render_sms(msg)
    assert rendering.text == expected
    assert "http" not in rendering.text


def test_sms_reports_encoding_and_segments_of_what_is_sent() -> None:
    msg = message("I’m " + "a" * 125, ["Yes", "No"])
    normalised, kept = render_sms(msg), render_sms(msg, normalise=False)
    assert (normalised.encoding, normalised.segments) == ("GSM-7", 1)
    assert (kept.encoding, kept.segments) == ("UCS-2", 3)
    assert "’" in kept.text


def test_rtl_text_is_never_normalised() -> None:
    text = "مرحبًا – شكرًا… “نعم”"
    assert render_sms(message(text, [], "rtl", "ar")).text == text


TELEGRAM_CASES = [
    ("no choices, no keyboard", [], None),
    ("yes/no on one row", ["Yes", "No"], (("Yes", "No"),)),
    ("short labels two a row", ["A", "B", "C"], (("A", "B"), ("C",))),
    (
        "a long label takes its own row",
        ["Weekday daytime", "Online meetings only", "Weekend"],
        (("Weekday daytime",), ("Online meetings only",), ("Weekend",)),
    ),
    ("scale is one row of 5", SCALE, (tuple(SCALE),)),
    (
        "scale then skip",
        [*SCALE, "Prefer not to say"],
        (tuple(SCALE), ("Prefer not to say",)),
    ),
]


@pytest.mark.parametrize(
    ("name", "labels", "keyboard"), TELEGRAM_CASES, ids=[c[0] for c in TELEGRAM_CASES]
)
def test_telegram_keyboard(
    name: str, labels: list[str], keyboard: tuple[tuple[str, ...], ...] | None
) -> None:
    rendering = render_telegram(message("Pick one.", labels))
    assert rendering.keyboard == keyboard
    assert rendering.text == "Pick one."


def test_telegram_keeps_rtl_text_and_labels_intact() -> None:
    text = "هل نتابع؟ \u200f“نعم”"
    rendering = render_telegram(message(text, ["نعم", "لا"], "rtl", "ar"))
    assert rendering.text == text
    assert rendering.keyboard == (("نعم", "لا"),)
