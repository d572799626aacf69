"""Safeguarding patterns (bot.nlu.keywords): word classes and gaps reach wording nobody listed,
and the screen answers them with the kind check-in, never the full help reply."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.keywords import (
    HARM_FROM_OTHERS,
    HELP_REQUEST,
    IMMEDIATE_DANGER,
    RISK_TO_SELF,
    PhraseFileError,
    PhraseMatcher,
    load_patterns,
    load_phrases,
    read_pattern_file,
)
from bot.nlu.screening import screen

FILE = """\
language: xx
risk_to_self: [zzz listed]
harm_from_others: [zzz listed harm]
immediate_danger: [zzz listed danger]
help_request: [zzz help$]
words:
  partner: [husband, "my ex", boyfriend*]
  hit: [hit*, slap*, "beat up"]
  me: [me, "my kids"]
  now: [now, tonight]
patterns:
  harm_from_others:
    - "{partner} ~ {hit} {me}"
  immediate_danger:
    - "{partner} ~ here {now}$"
  risk_to_self:
    - "^want to die"
  help_request:
    - "{me} ~ stuck"
"""


@pytest.fixture
def matcher(tmp_path: Path) -> PhraseMatcher:
    (tmp_path / "xx.yaml").write_text(FILE, encoding="utf-8")
    return PhraseMatcher(load_phrases(tmp_path), patterns=load_patterns(tmp_path))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("My ex keeps slapping me", HARM_FROM_OTHERS),
        ("my boyfriends mate hit my kids", HARM_FROM_OTHERS),  # prefix entry, gap of two words
        ("HUSBAND — he beat up my kids", HARM_FROM_OTHERS),  # an entry of several words
        ("my ex is here now", IMMEDIATE_DANGER),
        ("want to die", RISK_TO_SELF),
        ("me and kids are stuck", HELP_REQUEST),
    ],
)
def test_a_pattern_meets_wording_that_no_phrase_lists(
    matcher: PhraseMatcher, text: str, kind: str
) -> None:
    assert matcher.match(text) is None  # no listed phrase
    assert matcher.match_pattern(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "my husband was a big hit at the party",  # a class entry missing: no one is hit
        "my ex said the one two three four slapped me",  # four words between: over the gap
        "my ex is here now and then",  # `$`: only at the end of the message
        "i really want to die laughing",  # `^`: only at the start
        "the hitman film scared me",  # whole words: "hitman" is not "hit" after "husband"
        "",
    ],
)
def test_a_pattern_leaves_other_wording_alone(matcher: PhraseMatcher, text: str) -> None:
    assert matcher.match_pattern(text) is None


def test_the_screen_answers_a_pattern_with_a_check_in_of_its_kind(matcher: PhraseMatcher) -> None:
    found = screen("my ex keeps slapping me", None, matcher=matcher)
    assert found is not None
    assert (found.kind, found.level, found.source) == (HARM_FROM_OTHERS, "check", "keyword")
    listed = screen("zzz listed harm", None, matcher=matcher)
    assert listed is not None and listed.level == "clear"  # a listed phrase stays clear
    bare = screen("me and kids are stuck", None, matcher=matcher)
    assert bare is not None and (bare.kind, bare.level) == ("unspecified", "check")


@pytest.mark.parametrize(
    ("patterns", "problem"),
    [
        ('harm_from_others: ["{partner} ~ {kick} me"]', "unknown word class `{kick}`"),
        ('harm_from_others: ["~ {partner} me"]', "cannot start or end with `~`"),
        ('harm_from_others: ["{partner} ~ ~ me"]', "two `~` in a row"),
        ('sadness: ["{partner} me"]', "unknown kind `sadness`"),
        ('harm_from_others: ["{partner me"]', "a class is written `{name}`"),
    ],
)
def test_a_bad_pattern_is_refused_naming_the_file_kind_and_pattern(
    tmp_path: Path, patterns: str, problem: str
) -> None:
    path = tmp_path / "xx.yaml"
    path.write_text(
        f"language: xx\nwords:\n  partner: [husband]\npatterns:\n  {patterns}\n", encoding="utf-8"
    )
    with pytest.raises(PhraseFileError) as raised:
        read_pattern_file(path)
    assert str(path) in str(raised.value)
    assert problem in str(raised.value)
