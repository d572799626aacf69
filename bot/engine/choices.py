"""The choices shown with a question. SMS numbers them; Telegram shows them as buttons.

Numbering is part of the contract with the person: the same question always shows the same
numbers, and "prefer not to say" is always the last one (0 on number questions, whose own
numbers are answers).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

from bot.catalogue import Catalogue
from bot.engine.events import Choice
from bot.flowspec import texts
from bot.flowspec.model import SKIP_VALUE, AskStep

Labeller = Callable[[str], str]  # text id -> the label in the person's language and register

SCALE = range(1, 6)


def yes_no(label: Labeller) -> tuple[Choice, ...]:
    return (Choice(1, "yes", label(texts.YES)), Choice(2, "no", label(texts.NO)))


def help_or_carry_on(label: Labeller) -> tuple[Choice, ...]:
    """The safeguarding check-in's choices. Their values are yes/no, so the person's own yes
    and no words work beside the numbers and the labels."""
    return (
        Choice(1, "yes", label(texts.SAFEGUARDING_CHECK_HELP)),
        Choice(2, "no", label(texts.SAFEGUARDING_CHECK_CARRY_ON)),
    )


def languages(catalogue: Catalogue, first: Sequence[str] = ()) -> tuple[Choice, ...]:
    """Every catalogue language, named in itself, in menu order, except that the languages in
    `first` (those a message's script makes plausible) come before the rest."""
    leading = [code for code in first if code in catalogue.languages]
    order = leading + [code for code in catalogue.languages if code not in leading]
    return tuple(
        Choice(n, code, catalogue.languages[code].name) for n, code in enumerate(order, start=1)
    )


def _script(text: str) -> str | None:
    """The Unicode script of the first letter of `text` ("ARABIC", "LATIN", ...), if any."""
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            return name.split(" ", 1)[0] or None
    return None


def plausible_languages(catalogue: Catalogue, text: str) -> tuple[str, ...]:
    """The catalogue languages written in the script of `text`, when that script is not Latin
    (Latin is shared by too many to say anything): Arabic letters make Urdu and Arabic
    plausible, Gurmukhi Punjabi. Empty when the text says nothing about the language."""
    script = _script(text)
    if script is None or script == "LATIN":
        return ()
    return tuple(code for code, info in catalogue.languages.items() if _script(info.name) == script)


def _register(ask: AskStep, catalogue: Catalogue, label: Labeller) -> tuple[Choice, ...]:
    if ask.options:
        return tuple(Choice(n, o.value, label(o.text)) for n, o in enumerate(ask.options, 1))
    return tuple(
        Choice(n, value, label(text_id) if catalogue.has("en", text_id) else value.capitalize())
        for n, (value, text_id) in enumerate(texts.REGISTER_LABELS.items(), start=1)
    )


def for_ask(
    ask: AskStep, catalogue: Catalogue, label: Labeller, first_languages: Sequence[str] = ()
) -> tuple[Choice, ...]:
    if ask.answer == "language":
        return languages(catalogue, first_languages)
    if ask.answer == "register":
        return _register(ask, catalogue, label)
    base: tuple[Choice, ...]
    if ask.answer == "yes_no":
        base = yes_no(label)
    elif ask.answer == "scale":
        base = tuple(Choice(n, str(n), str(n)) for n in SCALE)
    elif ask.answer in ("choice", "multi"):
        base = tuple(Choice(n, o.value, label(o.text)) for n, o in enumerate(ask.options, 1))
    else:
        base = ()
    if not ask.skippable:
        return base
    number = 0 if ask.answer == "number" else len(base) + 1
    return (*base, Choice(number, SKIP_VALUE, label(texts.PREFER_NOT_TO_SAY)))
