"""Understanding replies with the noise people type, in several languages."""

from __future__ import annotations

import pytest

from bot.catalogue import Catalogue, load_catalogue
from bot.engine.events import Choice
from bot.engine.replies import Question, Vocabulary, understand

CHOICE = Question(
    "choice",
    (
        Choice(1, "housing", "Housing"),
        Choice(2, "transport", "Getting there"),
        Choice(3, "other", "Something else"),
        Choice(4, "prefer_not_to_say", "Prefer not to say"),
    ),
)
YES_NO = Question("yes_no", (Choice(1, "yes", "Yes"), Choice(2, "no", "No")))
YES_NO_PL = Question("yes_no", (Choice(1, "yes", "Tak"), Choice(2, "no", "Nie")))
SCALE = Question("scale", tuple(Choice(n, str(n), str(n)) for n in range(1, 6)))
MULTI = Question(
    "multi",
    (
        Choice(1, "day_centre", "Day centre"),
        Choice(2, "home_care", "Home care"),
        Choice(3, "carers", "Support for carers"),
    ),
)
NUMBER = Question("number", (Choice(0, "prefer_not_to_say", "Prefer not to say"),), 16, 120)
OPEN = Question("open", (Choice(1, "prefer_not_to_say", "Prefer not to say"),))
LANGUAGE = Question(
    "language",
    (Choice(1, "en", "English"), Choice(2, "pl", "Polski"), Choice(3, "ar", "العربية")),
)
REGISTER = Question("register", (Choice(1, "standard", "Standard"), Choice(2, "easy", "Easy read")))

CASES = [
    # (question, language, text, expected value or None)
    (CHOICE, "en", "2", "transport"),
    (CHOICE, "en", "2.", "transport"),
    (CHOICE, "en", " 2 ", "transport"),
    (CHOICE, "en", "2)", "transport"),
    (CHOICE, "en", "#2", "transport"),
    (CHOICE, "en", "(2)", "transport"),
    (CHOICE, "en", "two", "transport"),
    (CHOICE, "en", "Two!", "transport"),
    (CHOICE, "pl", "dwa", "transport"),
    (CHOICE, "pl", "two", "transport"),  # English number words always work
    (CHOICE, "ar", "٢", "transport"),  # Arabic-Indic digit
    (CHOICE, "ar", "اثنان", "transport"),
    (CHOICE, "en", "housing", "housing"),
    (CHOICE, "en", "HOUSING", "housing"),
    (CHOICE, "en", "getting", "transport"),  # unique prefix of a label
    (CHOICE, "en", "it is about housing really", "housing"),  # label inside the reply
    (CHOICE, "en", "skip", "prefer_not_to_say"),
    (CHOICE, "pl", "pomiń", "prefer_not_to_say"),
    (CHOICE, "pl", "pomin", "prefer_not_to_say"),  # without the accent
    (CHOICE, "en", "4", "prefer_not_to_say"),
    (CHOICE, "en", "5", None),
    (CHOICE, "en", "0", None),
    (CHOICE, "en", "", None),
    (CHOICE, "en", "🙂🙂", None),
    (CHOICE, "en", "\x00\x07", None),
    (CHOICE, "en", "housing or transport", None),  # two labels: ambiguous
    (YES_NO, "en", "yes", "yes"),
    (YES_NO, "en", "Yes!", "yes"),
    (YES_NO, "en", "y", "yes"),
    (YES_NO, "en", "yes please", "yes"),
    (YES_NO, "en", "no thanks", "no"),
    (YES_NO, "en", "1", "yes"),
    (YES_NO, "en", "2", "no"),
    (YES_NO, "en", "nope", "no"),
    (YES_NO, "en", "maybe", None),
    (YES_NO, "en", "yes no", None),
    (YES_NO_PL, "pl", "tak", "yes"),
    (YES_NO_PL, "pl", "TAK.", "yes"),
    (YES_NO_PL, "pl", "nie", "no"),
    (YES_NO_PL, "pl", "yes", "yes"),  # English always works
    (YES_NO, "ar", "نعم", "yes"),
    (YES_NO, "ar", "لا", "no"),
    (SCALE, "en", "4", "4"),
    (SCALE, "en", "four", "4"),
    (SCALE, "pl", "cztery", "4"),
    (SCALE, "en", "6", None),
    (SCALE, "en", "4.5", None),
    # A negative number is no option, even where an option's label is the digits themselves
    (SCALE, "en", "-1", None),
    (SCALE, "en", "- 3", None),
    (SCALE, "en", "\u22122", None),
    (CHOICE, "en", "-2", None),
    (YES_NO, "en", "-1", None),
    (MULTI, "en", "1 3", "day_centre,carers"),
    (MULTI, "en", "1,3", "day_centre,carers"),
    (MULTI, "en", "3, 1", "day_centre,carers"),
    (MULTI, "en", "1 and 3", "day_centre,carers"),
    (MULTI, "pl", "1 i 3", "day_centre,carers"),
    (MULTI, "en", "one, three", "day_centre,carers"),
    (MULTI, "en", "2", "home_care"),
    (MULTI, "en", "home care and carers", "home_care,carers"),
    (MULTI, "en", "1 7", None),
    (MULTI, "en", "1 banana", None),
    (NUMBER, "en", "45", "45"),
    (NUMBER, "en", "I am 45", "45"),
    (NUMBER, "en", "45 or 46", None),
    (NUMBER, "en", "12", None),  # below min
    (NUMBER, "en", "121", None),
    (NUMBER, "en", "0", "prefer_not_to_say"),
    (NUMBER, "en", "skip", "prefer_not_to_say"),
    (NUMBER, "en", "old", None),
    (OPEN, "en", "The bus is late", "The bus is late"),
    (OPEN, "en", "  The bus\n\tis late \x00", "The bus is late"),
    (OPEN, "en", "skip", "prefer_not_to_say"),
    (OPEN, "en", "🙂", "🙂"),
    (OPEN, "en", "   ", None),
    (LANGUAGE, "en", "2", "pl"),
    (LANGUAGE, "en", "polski", "pl"),
    (LANGUAGE, "en", "Polish", "pl"),
    (LANGUAGE, "en", "PL", "pl"),
    (LANGUAGE, "en", "العربية", "ar"),
    (LANGUAGE, "en", "arabic", "ar"),
    (LANGUAGE, "en", "klingon", None),
    (REGISTER, "en", "easy", "easy"),
    (REGISTER, "pl", "łatwy", "easy"),
    (REGISTER, "en", "1", "standard"),
    (REGISTER, "en", "Easy read", "easy"),
]


@pytest.mark.parametrize(("question", "language", "text", "expected"), CASES)
def test_reply_is_understood(
    fixture_catalogue: Catalogue,
    question: Question,
    language: str,
    text: str,
    expected: str | None,
) -> None:
    vocab = Vocabulary.of(fixture_catalogue, language)
    assert understand(text, question, vocab) == expected


def test_a_very_long_reply_is_an_open_answer_and_no_choice(fixture_catalogue: Catalogue) -> None:
    vocab = Vocabulary.of(fixture_catalogue, "en")
    text = "word " * 1000
    assert understand(text, OPEN, vocab) == text.strip()
    assert understand(text, CHOICE, vocab) is None


BUS = Question(
    "choice",
    (
        Choice(1, "housing", "Housing"),
        Choice(2, "transport", "The bus"),
        Choice(3, "staff", "Staff"),
        Choice(4, "prefer_not_to_say", "Prefer not to say"),
    ),
)

IN_A_SENTENCE = [
    # (language, text, expected value or None): one option meant inside a short sentence
    ("en", "2 please", "transport"),
    ("en", "I think number 3", "staff"),
    ("en", "the bus one", "transport"),
    ("en", "number 2", "transport"),
    ("en", "option 1 please", "housing"),
    ("en", "the second one", "transport"),
    ("en", "2 or 3", None),  # two options: ambiguous
    ("en", "3, the bus one", None),  # a number and a label that disagree
    ("en", "I am 45", None),  # no such option
    ("en", "-2 please", None),
    ("en", "2nd", None),
    ("en", "I went there 2 times last week with my sister", None),  # a long sentence
    ("pl", "chyba 2", "transport"),
    ("pl", "numer 3 proszę", "staff"),
    ("pl", "dwa proszę", "transport"),
    ("cy", "rhif 2 plis", "transport"),
    ("cy", "tri os gwelwch yn dda", "staff"),
    ("ro", "2 vă rog", "transport"),
    ("ro", "cred că 3", "staff"),
    ("so", "2 fadlan", "transport"),
    ("so", "saddex fadlan", "staff"),
    ("ur", "۲ نمبر", "transport"),
    ("ur", "نمبر 3", "staff"),
]


@pytest.mark.parametrize(("language", "text", "expected"), IN_A_SENTENCE)
def test_a_choice_named_inside_a_short_sentence(
    shipped: Catalogue, language: str, text: str, expected: str | None
) -> None:
    assert understand(text, BUS, Vocabulary.of(shipped, language)) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "1 please"), ("en", "yes 2"), ("en", "no 1"), ("pl", "tak 2"), ("ro", "da 2")],
)
def test_a_yes_no_question_never_guesses_from_a_number_in_a_sentence(
    shipped: Catalogue, language: str, text: str
) -> None:
    assert understand(text, YES_NO, Vocabulary.of(shipped, language)) is None


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "bye"),
        ("en", "why?"),
        ("en", "sounds good"),
        ("en", "ok?"),
        ("en", "yes?"),
        ("ro", "de ce?"),
        ("ro", "da?"),
        ("cy", "pam"),
        ("ur", "acha?"),
        ("ur", "اچھا؟"),
    ],
)
def test_a_yes_no_question_needs_a_yes_or_no_word(
    shipped: Catalogue, language: str, text: str
) -> None:
    assert understand(text, YES_NO, Vocabulary.of(shipped, language)) is None


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    return load_catalogue()


# (language, reply to a yes/no question, what it means) with the shipped catalogue: Arabic
# written in Latin letters uses digits for letters, and those words answer like any other.
SHIPPED_YES_NO = [
    ("ar", "na3am", "yes"),
    ("ar", "Na3am!", "yes"),
    ("ar", "na3am shukran", "yes"),
    ("ar", "la2", "no"),
    ("ar", "la2 shukran", "no"),
    ("ar", "na3am 2", None),  # a word and a number that may disagree
    ("ar", "2 na3am", None),
    ("en", "yes 2", None),
    # A no phrase that holds a yes word is no (Welsh answers with the verb: "ydw" = yes)
    ("cy", "nac ydw", "no"),
    ("cy", "Nac oes, diolch", "no"),
    ("cy", "na hoffwn", "no"),
    ("cy", "ydw", "yes"),
    ("cy", "ydw plis", "yes"),
    ("cy", "ie na", None),
    ("cy", "na, ydw", None),
    ("en", "yes no", None),
    ("en", "no, yes", None),
    ("en", "no thanks", "no"),
    ("pl", "nie dziekuje", "no"),
    ("pl", "tak, nie wiem", None),
    # A yes is a yes: a yes or no word beside a farewell, the other answer, a question or any
    # other words is not understood; courtesy ("please", "thanks") changes nothing.
    ("en", "ok bye", None),
    ("en", "yes bye", None),
    ("en", "yes but why", None),
    ("en", "ok no", None),
    ("en", "no I don't know", None),
    ("en", "yeah sure", "yes"),
    ("en", "Okay, thanks!", "yes"),
    ("en", "no thank you", "no"),
    ("cy", "ie, hwyl", None),
    ("cy", "dim syniad", None),
    ("cy", "iawn, diolch", "yes"),
    ("pl", "tak nie", None),
    ("pl", "nie wiem", None),
    ("pl", "ok pa", None),
    ("pl", "tak, ale dlaczego", None),
    ("pl", "tak, dziękuję", "yes"),
    ("pl", "nie, dziekuje", "no"),
    ("ur", "haan lekin kyun", None),
    ("ur", "pata nahi", None),
    ("ur", "ہاں خدا حافظ", None),
    ("ur", "theek hai shukriya", "yes"),
    ("ur", "جی نہیں، شکریہ", "no"),
    ("pa", "ਹਾਂ ਨਹੀਂ", None),
    ("pa", "pata nahi", None),
    ("pa", "haan ji dhanvaad", "yes"),
    ("bn", "জানি না", None),
    ("bn", "ha kintu keno", None),
    ("bn", "হ্যাঁ, ধন্যবাদ", "yes"),
    ("ar", "لا أعرف", None),
    ("ar", "نعم مع السلامة", None),
    ("ar", "نعم شكرا", "yes"),
    ("so", "ma garanayo", None),
    ("so", "haa nabad gelyo", None),
    ("so", "maya mahadsanid", "no"),
    ("ro", "nu știu", None),
    ("ro", "nu stiu", None),
    ("ro", "da, dar de ce", None),
    ("ro", "ok pa", None),
    ("ro", "da, mulțumesc", "yes"),
]


@pytest.mark.parametrize(("language", "text", "expected"), SHIPPED_YES_NO)
def test_yes_no_words_of_the_shipped_catalogue_answer_a_yes_no_question(
    language: str, text: str, expected: str | None
) -> None:
    vocab = Vocabulary.of(load_catalogue(), language)
    assert understand(text, YES_NO, vocab) == expected
