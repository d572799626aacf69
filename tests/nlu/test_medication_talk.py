"""Taking one's tablets is ordinary; taking all of them at once is not. The shipped phrases and
patterns give the full help reply only to the second, and a gentle check-in (the answer kept)
where a message could be either."""

from __future__ import annotations

import pytest

from bot.nlu.keywords import default_matcher
from bot.nlu.screening import screen


@pytest.mark.parametrize(
    "text",
    [
        "the carer makes sure i take all my tablets",
        "i can't swallow all my tablets, they are too big",
        "dwi'n cymryd fy nhabledi i gyd efo brecwast",
        "am luat toate pastilele de azi",
        "wziąłem wszystkie tabletki na dziś",
    ],
)
def test_ordinary_medication_talk_gets_no_help_reply(text: str) -> None:
    found = screen(text, None, matcher=default_matcher())
    assert found is None or found.level == "check"


@pytest.mark.parametrize(
    "text",
    [
        "i took all my pills",
        "dw i wedi cymryd fy holl dabledi",
        "am luat toate pastilele",
        "wziąłem wszystkie tabletki",
        "I've taken a whole packet of paracetamol",
    ],
)
def test_an_overdose_gets_the_help_reply(text: str) -> None:
    found = screen(text, None, matcher=default_matcher())
    assert found is not None and found.level == "clear"


@pytest.mark.parametrize(
    "text",
    [
        "i took all my pills from the cupboard",
        "dw i wedi llyncu fy holl dabledi ar unwaith",
        "i took all my tablets at once",
    ],
)
def test_all_the_tablets_before_other_words_gets_a_check_in_at_least(text: str) -> None:
    found = screen(text, None, matcher=default_matcher())
    assert found is not None
