"""Plain letters on SMS: the catalogue's reviewed table applied for a person who writes without
accents, in their language only, on SMS only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import pytest

from bot.catalogue import load_catalogue
from bot.channels.telegram.render import render_telegram
from bot.channels.twilio_sms.render import render_sms_for
from bot.engine.events import Choice, MessageCreated

CATALOGUE = load_catalogue()
AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def message(
    text: str,
    language: str,
    plain: bool,
    labels: tuple[str, ...] = (),
    direction: Literal["ltr", "rtl"] = "ltr",
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
        plain_letters=plain,
    )


@pytest.mark.parametrize(
    ("language", "text", "labels", "plain", "expected", "encoding"),
    [
        ("pl", "Czy możemy zachować odpowiedzi?", ("Tak", "Wolę nie mówić"), True,
         "Czy mozemy zachowac odpowiedzi?\n1 Tak\n2 Wole nie mowic", "GSM-7"),
        ("pl", "Czy możemy zachować odpowiedzi?", ("Tak",), False,
         "Czy możemy zachować odpowiedzi?\n1 Tak", "UCS-2"),
        ("pl", "ŻÓŁĆ, gęślą jaźń", (), True, "ZOLC, gesla jazn", "GSM-7"),
        ("ro", "Mulțumim. Vă scrie echipa. Ştim.", (), True,
         "Multumim. Va scrie echipa. Stim.", "GSM-7"),
        # Welsh has no table: its circumflex tells words apart (tŵr, twr).
        ("cy", "Mae'r tŵr ar gau.", (), True, "Mae'r tŵr ar gau.", "UCS-2"),
        # Another language's letters are left alone: only the message's language's table.
        ("en", "Café Łódź", (), True, "Café Łódź", "UCS-2"),
    ],
)
def test_sms_in_plain_letters(
    language: str,
    text: str,
    labels: tuple[str, ...],
    plain: bool,
    expected: str,
    encoding: str,
) -> None:
    rendering = render_sms_for(message(text, language, plain, labels), CATALOGUE)
    assert (rendering.text, rendering.encoding) == (expected, encoding)


def test_plain_letters_halve_a_polish_message() -> None:
    text = "Dziękujemy. Zespół czyta każdą odpowiedź i planuje usługi z mieszkańcami okolicy."
    accented = render_sms_for(message(text, "pl", False), CATALOGUE)
    plain = render_sms_for(message(text, "pl", True), CATALOGUE)
    assert (accented.segments, plain.segments) == (2, 1)


def test_telegram_keeps_every_letter() -> None:
    rendering = render_telegram(message("Dziękujemy", "pl", True, ("Wolę nie mówić",)))
    assert rendering.text == "Dziękujemy"
    assert rendering.keyboard == (("Wolę nie mówić",),)
