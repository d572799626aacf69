from __future__ import annotations

import pytest

from bot.nlu.keywords import HARM_FROM_OTHERS, LANGUAGES, RISK_TO_SELF, match_safeguarding, phrases

CASES = [
    ("I want to KILL myself", RISK_TO_SELF),
    ("i'm going to end it all tonight", RISK_TO_SELF),
    ("I just want to die", RISK_TO_SELF),
    ("thinking about suicide", RISK_TO_SELF),
    ("feeling suicidal", RISK_TO_SELF),
    ("I hurt myself again", RISK_TO_SELF),
    ("I don't want to live", RISK_TO_SELF),
    ("he hits me", HARM_FROM_OTHERS),
    ("my son is abusive", HARM_FROM_OTHERS),
    ("I'm not safe here", HARM_FROM_OTHERS),
    ("I'm scared of him", HARM_FROM_OTHERS),
    ("Dw i eisiau marw", RISK_TO_SELF),
    ("mae e'n fy nharo i", HARM_FROM_OTHERS),
    ("Chcę się zabić", RISK_TO_SELF),
    ("on mnie bije", HARM_FROM_OTHERS),
    ("Boję się go", HARM_FROM_OTHERS),
    ("vreau să mor", RISK_TO_SELF),
    ("mi-e frică de el", HARM_FROM_OTHERS),
    ("waan is dilayaa", RISK_TO_SELF),
    ("wuu i garaacaa", HARM_FROM_OTHERS),
    ("میں خودکشی کرنا چاہتا ہوں", RISK_TO_SELF),
    ("main marna chahta hoon", RISK_TO_SELF),
    ("وہ مجھے مارتا ہے", HARM_FROM_OTHERS),
    ("wo mujhe maarta hai", HARM_FROM_OTHERS),
    ("ਮੈਂ ਮਰਨਾ ਚਾਹੁੰਦਾ ਹਾਂ", RISK_TO_SELF),
    ("oh mainu kutda hai", HARM_FROM_OTHERS),
    ("আমি আত্মহত্যা করতে চাই", RISK_TO_SELF),
    ("amake mare", HARM_FROM_OTHERS),
    ("أريد أن أموت", RISK_TO_SELF),
    ("اريد ان اموت", RISK_TO_SELF),  # written without hamza
    ("زوجي يضربني", HARM_FROM_OTHERS),
    ("bidi moot", RISK_TO_SELF),
    ("he hits me and I want to die", RISK_TO_SELF),  # the person's own safety comes first
]


@pytest.mark.parametrize(("text", "kind"), CASES)
def test_safeguarding_phrases_are_caught(text: str, kind: str) -> None:
    assert match_safeguarding(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "yes please",
        "I'd kill for a cup of tea",
        "where is the bus stop",
        "the hitman film was good",
        "tak, dziękuję",
        "theek hai",
        "",
    ],
)
def test_everyday_messages_are_not_flagged(text: str) -> None:
    assert match_safeguarding(text) is None


@pytest.mark.parametrize("language", ["en", "cy", "pl", "ur", "pa", "bn", "ar", "so", "ro"])
@pytest.mark.parametrize("kind", [RISK_TO_SELF, HARM_FROM_OTHERS])
def test_every_language_has_both_lists(language: str, kind: str) -> None:
    assert language in LANGUAGES
    listed = phrases(kind, language)
    assert len(listed) >= 5
    assert all(match_safeguarding(p.rstrip("*")) is not None for p in listed)
