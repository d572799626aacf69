"""Ordinary idioms (`ordinary:` in flows/safeguarding/<lang>.yaml): a joke about dying is not
a disclosure, and an idiom never hides a disclosure beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.keywords import (
    RISK_TO_SELF,
    PhraseFileError,
    PhraseMatcher,
    default_matcher,
    load_matcher,
    read_pattern_file,
)
from bot.nlu.screening import screen

FILE = """\
language: xx
risk_to_self: ["want to die", "wanna die$"]
harm_from_others: [zzz harm]
immediate_danger: [zzz danger]
help_request: [zzz help$]
words:
  i: [i, im]
patterns:
  risk_to_self:
    - "{i} ~ dying$"
ordinary:
  - die laughing
  - dying of laugh*
"""


@pytest.fixture
def matcher(tmp_path: Path) -> PhraseMatcher:
    (tmp_path / "xx.yaml").write_text(FILE, encoding="utf-8")
    return load_matcher(tmp_path)


@pytest.mark.parametrize(
    "text",
    [
        "I want to DIE LAUGHING at that video",
        "i wanna die laughing",  # the idiom leaves "wanna" and nothing after it for `$`
        "im dying of laughter",  # a prefix idiom; the pattern's `$` meets no word
        "im dying of laughing",
    ],
)
def test_an_idiom_is_no_disclosure(matcher: PhraseMatcher, text: str) -> None:
    assert matcher.match(text) is None
    assert matcher.match_pattern(text) is None
    assert screen(text, None, matcher=matcher) is None


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("i want to die laughing, honestly i want to die", "clear"),
        ("im dying", "check"),  # the pattern, no idiom in the message
    ],
)
def test_a_disclosure_beside_an_idiom_is_still_found(
    matcher: PhraseMatcher, text: str, level: str
) -> None:
    found = screen(text, None, matcher=matcher)
    assert found is not None
    assert (found.kind, found.level) == (RISK_TO_SELF, level)


def test_an_idiom_is_cut_across_punctuation(matcher: PhraseMatcher) -> None:
    # Punctuation is folded away before matching, so the idiom list may hold only wording that
    # is ordinary wherever it stands (bot.nlu.keywords): this is why "killing me" is not one.
    assert matcher.match("want to die. laughing used to be easy") is None


@pytest.mark.parametrize("idiom", ['"^die laughing"', '"die laughing$"', '"…"'])
def test_an_anchored_or_empty_idiom_is_refused_naming_the_file(tmp_path: Path, idiom: str) -> None:
    path = tmp_path / "xx.yaml"
    path.write_text(f"language: xx\nordinary: [{idiom}]\n", encoding="utf-8")
    with pytest.raises(PhraseFileError) as raised:
        read_pattern_file(path)
    assert str(path) in str(raised.value) and "ordinary" in str(raised.value)


@pytest.mark.parametrize(
    "text",
    [
        "i want to die laughing",
        "the cake was to die for",
        "she hit me up on whatsapp last night",
        "the council slapped me with a fine for the bins",
        "بدي اموت من الضحك",
        "umieram ze śmiechu",
        "am murit de râs",
        "হাসতে হাসতে মরে গেলাম",
    ],
)
def test_the_shipped_idioms_are_no_disclosure(text: str) -> None:
    assert screen(text, None, matcher=default_matcher()) is None


@pytest.mark.parametrize(
    "text",
    [
        "i want to die laughing but really i want to die",
        "i nearly died laughing, then he hit me again and i am scared of him",
    ],
)
def test_the_shipped_idioms_leave_a_disclosure_beside_them(text: str) -> None:
    found = screen(text, None, matcher=default_matcher())
    assert found is not None and found.level == "clear"
