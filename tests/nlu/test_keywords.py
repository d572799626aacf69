"""The safeguarding phrase lists (flows/safeguarding/<lang>.yaml) and how they match."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalogue import load_catalogue
from bot.nlu.keywords import (
    HARM_FROM_OTHERS,
    HELP_REQUEST,
    IMMEDIATE_DANGER,
    KINDS,
    RISK_TO_SELF,
    PhraseMatcher,
    load_phrases,
    match_safeguarding,
    phrases,
)
from bot.parse_cache import ParseCache

REPOSITORY = Path(__file__).resolve().parents[2]
CATALOGUE_LANGUAGES = sorted(load_catalogue(REPOSITORY / "flows" / "catalogue").languages)

CASES = [
    ("I want to KILL myself", RISK_TO_SELF),
    ("i'm going to end it all", RISK_TO_SELF),
    ("I just want to die", RISK_TO_SELF),
    ("thinking about suicide", RISK_TO_SELF),
    ("feeling suicidal", RISK_TO_SELF),
    ("I hurt myself again", RISK_TO_SELF),
    ("I don't want to live", RISK_TO_SELF),
    ("he hits me", HARM_FROM_OTHERS),
    ("my son is abusive", HARM_FROM_OTHERS),
    ("I'm not safe here", HARM_FROM_OTHERS),
    ("I'm scared of him", HARM_FROM_OTHERS),
    ("he is here now with a knife", IMMEDIATE_DANGER),
    ("I'm going to do it tonight", IMMEDIATE_DANGER),
    ("someone is breaking in", IMMEDIATE_DANGER),
    ("somebody help me", HELP_REQUEST),
    ("please help", HELP_REQUEST),
    ("help me", HELP_REQUEST),
    ("I need help", HELP_REQUEST),
    ("Dw i eisiau marw", RISK_TO_SELF),
    ("mae e'n fy nharo i", HARM_FROM_OTHERS),
    ("helpwch fi", HELP_REQUEST),
    ("Chcę się zabić", RISK_TO_SELF),
    ("on mnie bije", HARM_FROM_OTHERS),
    ("Boję się go", HARM_FROM_OTHERS),
    ("ktoś się włamuje", IMMEDIATE_DANGER),
    ("pomocy", HELP_REQUEST),
    ("vreau să mor", RISK_TO_SELF),
    ("mi-e frică de el", HARM_FROM_OTHERS),
    ("ajutați-mă", HELP_REQUEST),
    ("waan is dilayaa", RISK_TO_SELF),
    ("wuu i garaacaa", HARM_FROM_OTHERS),
    ("fadlan i caawi", HELP_REQUEST),
    ("میں خودکشی کرنا چاہتا ہوں", RISK_TO_SELF),
    ("main marna chahta hoon", RISK_TO_SELF),
    ("وہ مجھے مارتا ہے", HARM_FROM_OTHERS),
    ("wo mujhe maarta hai", HARM_FROM_OTHERS),
    ("meri madad karo", HELP_REQUEST),
    ("ਮੈਂ ਮਰਨਾ ਚਾਹੁੰਦਾ ਹਾਂ", RISK_TO_SELF),
    ("oh mainu kutda hai", HARM_FROM_OTHERS),
    ("ਮੇਰੀ ਮਦਦ ਕਰੋ", HELP_REQUEST),
    ("আমি আত্মহত্যা করতে চাই", RISK_TO_SELF),
    ("amake mare", HARM_FROM_OTHERS),
    ("আমাকে সাহায্য করুন", HELP_REQUEST),
    ("أريد أن أموت", RISK_TO_SELF),
    ("اريد ان اموت", RISK_TO_SELF),  # written without hamza
    ("زوجي يضربني", HARM_FROM_OTHERS),
    ("bidi moot", RISK_TO_SELF),
    ("ساعدوني", HELP_REQUEST),
    ("he hits me and I want to die", RISK_TO_SELF),  # the person's own safety comes first
    ("help me, I want to die", RISK_TO_SELF),  # a named risk outranks a bare call for help
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
        "my back is hurting me",
        "it beats me why they closed it",
        "your message touched me",
        "help me fill in the form please",
        "I need help with my shopping",
        "someone to help me with the garden",
        "I can't eat with a knife and fork",
        "my son is here now so I'll go",
        "potrzebuję pomocy przy zakupach",
        "am nevoie de ajutor la cumpărături",
        "tak, dziękuję",
        "theek hai",
        "",
    ],
)
def test_everyday_messages_are_not_flagged(text: str) -> None:
    assert match_safeguarding(text) is None


@pytest.mark.parametrize("language", CATALOGUE_LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_catalogue_language_lists_every_kind(language: str, kind: str) -> None:
    listed = phrases(kind, language)
    assert listed, f"flows/safeguarding/{language}.yaml has no {kind} phrases"
    stripped = [p.removeprefix("^").removesuffix("$").removesuffix("*") for p in listed]
    # Each phrase, sent alone, is found (as its own kind or one checked before it).
    assert all(match_safeguarding(p) in KINDS[: KINDS.index(kind) + 1] for p in stripped)


@pytest.mark.parametrize(
    ("phrase", "hit", "miss"),
    [
        ("cant go on$", "honestly I cant go on", "I can't go on the trips"),
        ("^sos", "sos please", "the sauce tasted of sos"),
        ("suicid*", "feeling suicidal", "suite"),
        ("hits me", "he hits me when he drinks", "this hits mean"),
    ],
)
def test_anchors_and_prefixes(phrase: str, hit: str, miss: str) -> None:
    matcher = PhraseMatcher({"xx": {RISK_TO_SELF: (phrase,)}})
    assert matcher.match(hit) == RISK_TO_SELF
    assert matcher.match(miss) is None


def test_phrases_are_loaded_from_one_file_per_language(tmp_path: Path) -> None:
    (tmp_path / "xx.yaml").write_text(
        "language: xx\nrisk_to_self: [zzz plonk]\nhelp_request: [plonk$]\n", encoding="utf-8"
    )
    matcher = PhraseMatcher(load_phrases(tmp_path))
    assert matcher.languages == ("xx",)
    assert matcher.match("ZZZ plonk!") == RISK_TO_SELF
    assert matcher.match("oh plonk") == HELP_REQUEST
    assert matcher.match("plonk it") is None


def test_a_matcher_read_from_the_parse_cache_matches_as_one_that_normalises_every_phrase(
    tmp_path: Path,
) -> None:
    shipped = load_phrases()
    cache = ParseCache(tmp_path / "parse-cache")
    for _ in range(2):  # the first start writes the entry, the second reads it
        cached = PhraseMatcher(shipped, cache)
        assert [cached.match(text) for text, _ in CASES] == [kind for _, kind in CASES]
    assert len(list((tmp_path / "parse-cache").glob("*.json"))) == 1
    # Changed phrases are normalised again, never answered from the earlier entry.
    changed = PhraseMatcher({"xx": {RISK_TO_SELF: ("Zębąlik płonie",)}}, cache)
    assert changed.match("ZEBALIK plonie") == RISK_TO_SELF
    assert changed.match("I want to KILL myself") is None
