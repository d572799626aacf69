"""The easy-read rules on single texts: the edges a translator would notice."""

from __future__ import annotations

import pytest

from bot.lint.easyread import TextContext, check_text
from bot.lint.text import sentences, words
from bot.terms import Register

CAPITALS = frozenset({"STOP", "YES", "NO", "KONIEC", "TAK", "NIE", "USUN"})


def rules_fired(text: str, language: str = "en", register: Register = "easy") -> set[str]:
    ctx = TextContext(language, register, CAPITALS)
    return {f"{f.rule}:{f.severity}" for f in check_text(text, ctx)}


CASES = [
    # (name, text, language, register, rules expected to fire)
    ("clean", "Thank you. We will read your answer.", "en", "easy", set()),
    ("15 words is fine", " ".join(["word"] * 15) + ".", "en", "easy", set()),
    ("16 words", " ".join(["word"] * 16) + ".", "en", "easy", {"ER-01:error"}),
    ("25 words standard", " ".join(["word"] * 25) + ".", "en", "standard", set()),
    ("26 words standard", " ".join(["word"] * 26) + ".", "en", "standard", {"ER-01:error"}),
    ("lines are sentences", "\n".join(["word word word word word"] * 3), "en", "easy", set()),
    (
        "Urdu full stop splits",
        "۔ ".join(" ".join(["لفظ"] * 10) for _ in range(2)),
        "ur",
        "easy",
        set(),
    ),
    ("Urdu run-on", " ".join(["لفظ"] * 16) + "۔", "ur", "easy", {"ER-01:error"}),
    (
        "Bengali danda splits",
        "। ".join(" ".join(["শব্দ"] * 10) for _ in range(2)),
        "bn",
        "easy",
        set(),
    ),
    ("jargon", "You can get a direct payment.", "en", "easy", {"ER-04:error"}),
    (
        "jargon explained",
        "You can get a direct payment. This is money paid to you.",
        "en",
        "easy",
        set(),
    ),
    ("word to avoid", "We will facilitate a meeting.", "en", "standard", {"ER-04:error"}),
    ("impact as a noun is fine", "Tell us the impact on you.", "en", "standard", set()),
    ("jargon only checked in English", "Direct payment.", "pl", "easy", set()),
    ("acronym", "Ask the CQC.", "en", "easy", {"ER-05:error"}),
    ("allowed acronyms", "Ask your GP or the NHS in the UK.", "en", "easy", set()),
    ("keywords of any language", "Text STOP or KONIEC. Text USUŃ to delete.", "en", "easy", set()),
    ("Welsh GIG allowed in Welsh", "Ffoniwch y GIG.", "cy", "easy", set()),
    ("eg", "Tell us, eg about transport.", "en", "standard", {"ER-06:error"}),
    ("i.e.", "Your carer, i.e. the person who helps.", "en", "standard", {"ER-06:error"}),
    ("Welsh ie means yes", "Ie, diolch.", "cy", "easy", set()),
    ("phone number plus is fine", "Call +447700900123.", "en", "easy", set()),
    ("number words", "Pick two things.", "en", "easy", {"ER-07:warning"}),
    ("contraction", "You won't be charged.", "en", "easy", {"ER-11:error"}),
    ("curly contraction", "You don’t have to.", "en", "easy", {"ER-11:error"}),
    ("reply NO is not a negation", "Reply YES or NO. We will not mind.", "en", "easy", set()),
    ("Polish negative concord counts once", "Nigdy nic nie mów.", "pl", "easy", set()),
    ("hard punctuation", "Your answers [all of them] are safe.", "en", "easy", {"ER-14:warning"}),
    ("placeholders are not punctuation", "Call {helpline} now.", "en", "easy", set()),
]


@pytest.mark.parametrize(
    ("name", "text", "language", "register", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_rules_on_text(
    name: str, text: str, language: str, register: Register, expected: set[str]
) -> None:
    assert rules_fired(text, language, register) == expected


def test_placeholder_is_one_word() -> None:
    assert words("Hello {guessed_language_name} friend") == [
        "Hello",
        "{guessed_language_name}",
        "friend",
    ]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("One. Two! Three? Four", 4),
        ("سطر؟ سطر", 2),
        ("Line one\nLine two", 2),
        ("Version 1.5 is here.", 1),
        ("- \n1 Yes\n2 No", 2),
    ],
)
def test_sentence_split(text: str, count: int) -> None:
    assert len(sentences(text)) == count
