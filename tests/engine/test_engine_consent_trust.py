"""Consent, DELETE and STOP answers people can trust, on the shipped flows and catalogue.

A classifier's guess never grants consent, confirms a deletion or stops messages: only a number,
an option's own words or a yes/no word of the person's language does. "Leave me alone" and the
like, in every language, stop messages exactly as STOP does.
"""

from __future__ import annotations

import pytest

from bot.catalogue import Catalogue, load_catalogue
from bot.catalogue.model import fold
from bot.engine.events import ConsentRecorded, ErasureRequested, OptedOut
from bot.flowspec import FlowSet
from tests.engine.chat import Chat, make_engine, messages, of_type, said

LANGUAGES = load_catalogue().codes  # every catalogue language, never a fixed list


def at_consent(flows: FlowSet, catalogue: Catalogue, language: str, channel: str = "sms") -> Chat:
    """A new person who chose `language` from the language menu, at the consent question
    (keep my answers?). (A reply not understood at a consent question asked in a guessed
    language offers the language menu instead: tests/engine/test_engine_opening.py.)"""
    chat = Chat(make_engine(flows, catalogue), channel=channel)
    assert said(chat.send("\U0001f642"))[-1] == "welcome.choose_language"
    number = list(catalogue.languages).index(language) + 1
    turn = chat.send(str(number))
    assert said(turn)[-1] == "consent.ask_share_views"
    return chat


def at_menu(flows: FlowSet, catalogue: Catalogue, language: str) -> Chat:
    chat = at_consent(flows, catalogue, language)
    chat.send("1")  # yes: the first question of the consultation
    turn = chat.send("MENU")
    assert said(turn)[-1] == "menu.choose"
    return chat


# (language, reply, what the classifier made of it)
NOT_A_YES = [
    ("en", "bye", "affirm"),
    ("en", "Bye!", "affirm"),
    ("en", "goodbye", "affirm"),
    ("en", "why", "affirm"),
    ("en", "why?", "affirm"),
    ("en", "sounds good", "affirm"),
    ("en", "not really", "deny"),
    ("ro", "de ce?", "affirm"),
    ("ro", "pa", "affirm"),
    ("pl", "czemu?", "affirm"),
    ("pl", "na razie", "affirm"),
    ("cy", "pam?", "affirm"),
    ("cy", "hwyl", "affirm"),
    ("ur", "کیوں؟", "affirm"),
    ("ur", "khuda hafiz", "affirm"),
    ("so", "maxaa?", "affirm"),
    ("so", "nabad gelyo", "affirm"),
    # A yes word beside a farewell, a no word, a question or other words is not a yes
    ("en", "ok bye", "affirm"),
    ("en", "yes but why", "affirm"),
    ("en", "ok no", "affirm"),
    ("cy", "iawn, hwyl", "affirm"),
    ("pl", "tak nie", "affirm"),
    ("pl", "nie wiem", "deny"),
    ("ur", "haan, khuda hafiz", "affirm"),
    ("pa", "ਹਾਂ ਪਰ ਕਿਉਂ", "affirm"),
    ("bn", "হ্যাঁ কিন্তু কেন", "affirm"),
    ("ar", "نعم مع السلامة", "affirm"),
    ("so", "haa nabad gelyo", "affirm"),
    ("ro", "da, pa", "affirm"),
    ("ro", "nu știu", "deny"),
]


@pytest.mark.parametrize(("language", "reply", "intent"), NOT_A_YES)
def test_a_classifier_guess_never_answers_a_consent_question(
    flows: FlowSet, catalogue: Catalogue, language: str, reply: str, intent: str
) -> None:
    chat = at_consent(flows, catalogue, language)
    turn = chat.send(reply, intent=intent, confidence=0.99)
    assert of_type(turn, ConsentRecorded) == []
    assert said(turn) == ["retry.yes_no", "consent.ask_share_views"]
    retry = messages(turn)[0]
    assert retry.language == language
    assert "1" in retry.text and "2" in retry.text  # says exactly what to send
    assert chat.session is not None and chat.session.consents == {}


def test_on_telegram_the_retry_says_tap_yes_or_no(flows: FlowSet, catalogue: Catalogue) -> None:
    chat = at_consent(flows, catalogue, "en", channel="telegram")
    turn = chat.send("bye", intent="affirm", confidence=0.99)
    assert said(turn) == ["retry.yes_no_tap", "consent.ask_share_views"]
    assert "tap Yes or No" in messages(turn)[0].text
    assert of_type(turn, ConsentRecorded) == []


# (language, reply, granted)
CLEAR_ANSWERS = [
    ("en", "yes", True),
    ("en", "1", True),
    ("en", "Yes please", True),
    ("en", "no", False),
    ("en", "2", False),
    ("pl", "tak", True),
    ("pl", "nie", False),
    ("cy", "ie", True),
    ("cy", "na", False),
    ("ur", "جی ہاں", True),
    ("ur", "nahi", False),
    ("ro", "da", True),
    ("ro", "nu", False),
    ("so", "haa", True),
    ("so", "maya", False),
    ("ar", "نعم", True),
    ("bn", "না", False),
    ("pa", "ਹਾਂ", True),
]


@pytest.mark.parametrize(("language", "reply", "granted"), CLEAR_ANSWERS)
def test_a_number_or_a_yes_no_word_answers_consent(
    flows: FlowSet, catalogue: Catalogue, language: str, reply: str, granted: bool
) -> None:
    chat = at_consent(flows, catalogue, language)
    turn = chat.send(reply, intent="greet", confidence=0.99)  # whatever the classifier says
    recorded = of_type(turn, ConsentRecorded)
    assert [(r.purpose, r.granted) for r in recorded] == [("share_views", granted)]


def test_no_yes_or_no_word_is_a_greeting_or_a_question(catalogue: Catalogue) -> None:
    suspicious = {"bye", "goodbye", "why", "hi", "hello", "ok bye", "de ce", "pa", "czemu", "pam"}
    for code, info in catalogue.languages.items():
        for command in ("yes", "no"):
            assert not set(info.keywords.get(command, ())) & {fold(w) for w in suspicious}, code


# (language, a whole message asking for no more messages)
STOP_REQUESTS = [
    ("en", "no more messages"),
    ("en", "No more messages!"),
    ("en", "leave me alone"),
    ("en", "stop texting me"),
    ("en", "stop messaging me"),
    ("en", "Don't text me"),
    ("en", "unsubscribe"),
    ("en", "no more texts please"),
    ("en", "leave me alone now thanks"),
    ("pl", "nie piszcie do mnie więcej"),
    ("pl", "zostaw mnie w spokoju"),
    ("pl", "nie piszcie do mnie"),
    ("cy", "dim mwy o negeseuon"),
    ("cy", "gadewch lonydd i mi"),
    ("ur", "مجھے پیغام نہ بھیجیں"),
    ("ur", "mujhe message mat bhejo"),
    ("ro", "nu mai vreau mesaje"),
    ("ro", "Lăsați-mă în pace"),
    ("ro", "lasati-ma in pace"),
    ("so", "iga daa"),
    ("so", "fariimo dambe ha ii soo dirin"),
    ("pa", "ਮੈਨੂੰ ਸੁਨੇਹੇ ਨਾ ਭੇਜੋ"),
    ("bn", "আমাকে মেসেজ পাঠাবেন না"),
    ("ar", "لا مزيد من الرسائل"),
]


@pytest.mark.parametrize(("language", "reply"), STOP_REQUESTS)
def test_asking_for_no_more_messages_at_consent_stops_and_records_no_consent(
    flows: FlowSet, catalogue: Catalogue, language: str, reply: str
) -> None:
    chat = at_consent(flows, catalogue, language)
    turn = chat.send(reply, intent="deny", confidence=0.99)
    assert said(turn) == ["common.stopped"]
    assert messages(turn)[0].language == language
    assert len(of_type(turn, OptedOut)) == 1
    assert of_type(turn, ConsentRecorded) == []
    assert chat.session is not None and chat.session.status == "opted_out"


@pytest.mark.parametrize(
    "reply", ["please stop the cuts", "stop it closing", "no more", "no more buses to town"]
)
def test_a_longer_answer_that_starts_like_a_stop_phrase_is_an_answer(
    flows: FlowSet, catalogue: Catalogue, reply: str
) -> None:
    chat = at_menu(flows, catalogue, "en")
    chat.send("1")  # have your say: an open question waits
    turn = chat.send(reply)
    assert said(turn) == ["hys.q_matters"]
    assert chat.session is not None and chat.session.status == "active"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_stop_phrase_stops_from_the_menu(
    flows: FlowSet, catalogue: Catalogue, language: str
) -> None:
    phrases = catalogue.languages[language].stop_phrases
    assert len(phrases) >= 8, "each language lists its everyday ways of saying it"
    for phrase in phrases:
        chat = at_menu(flows, catalogue, language)
        assert said(chat.send(phrase)) == ["common.stopped"], phrase


# (language, the person's "cancel" or "no" at the DELETE confirmation)
CANCELS = [
    ("en", "cancel"),
    ("en", "Cancel"),
    ("en", "no"),
    ("en", "2"),
    ("pl", "anuluj"),
    ("pl", "nie"),
    ("cy", "canslo"),
    ("cy", "na"),
    ("ur", "منسوخ"),
    ("ur", "nahi"),
    ("ro", "anulare"),
    ("ro", "nu"),
    ("so", "baaji"),
    ("so", "maya"),
    ("ar", "إلغاء"),
    ("bn", "বাতিল"),
    ("pa", "ਰੱਦ ਕਰੋ"),
]


@pytest.mark.parametrize(("language", "reply"), CANCELS)
def test_cancel_at_the_delete_confirmation_cancels_the_deletion_not_the_messages(
    flows: FlowSet, catalogue: Catalogue, language: str, reply: str
) -> None:
    chat = at_menu(flows, catalogue, language)
    assert said(chat.send("delete")) == ["common.delete_confirm"]
    turn = chat.send(reply)
    assert said(turn) == ["common.delete_cancelled", "menu.choose"]
    assert of_type(turn, ErasureRequested) == [] and of_type(turn, OptedOut) == []
    assert chat.session is not None and chat.session.status == "active"


@pytest.mark.parametrize(
    ("reply", "intent"),
    [("bye", "affirm"), ("why?", "affirm"), ("go on then", "affirm"), ("hmm", None)],
)
def test_a_classifier_guess_never_confirms_a_deletion(
    flows: FlowSet, catalogue: Catalogue, reply: str, intent: str | None
) -> None:
    chat = at_menu(flows, catalogue, "en")
    chat.send("delete")
    turn = chat.send(reply, intent=intent, confidence=0.99)
    assert of_type(turn, ErasureRequested) == []
    assert said(turn) == ["retry.yes_no", "common.delete_confirm"]
    assert "Please reply 1 for yes or 2 for no." in messages(turn)[0].text
    assert of_type(chat.send("1"), ErasureRequested) != []  # the number confirms


@pytest.mark.parametrize(
    ("language", "reply"), [("en", "cancel"), ("cy", "canslo"), ("ro", "anulare")]
)
def test_cancel_outside_a_delete_confirmation_still_stops_messages(
    flows: FlowSet, catalogue: Catalogue, language: str, reply: str
) -> None:
    chat = at_menu(flows, catalogue, language)
    assert said(chat.send(reply)) == ["common.stopped"]


def test_stop_at_the_delete_confirmation_still_stops(flows: FlowSet, catalogue: Catalogue) -> None:
    chat = at_menu(flows, catalogue, "en")
    chat.send("delete")
    turn = chat.send("leave me alone")
    assert said(turn) == ["common.stopped"]
    assert of_type(turn, ErasureRequested) == []


# (language, a puzzled reply the classifier reads as a call for the help text)
PUZZLED = [
    ("en", "what?"),
    ("cy", "beth?"),
    ("pl", "co?"),
    ("ur", "kya?"),
    ("pa", "ki?"),
    ("bn", "ki?"),
    ("ar", "شو؟"),
    ("so", "maxay?"),
    ("ro", "poftim?"),
]


@pytest.mark.parametrize("channel", ["sms", "telegram"])
@pytest.mark.parametrize(("language", "reply"), PUZZLED)
def test_a_puzzled_reply_at_consent_is_told_exactly_what_to_send(
    flows: FlowSet, catalogue: Catalogue, language: str, reply: str, channel: str
) -> None:
    """ "what?" read as the help intent gets the yes/no retry, not the list of commands; the
    word HELP still gives the commands."""
    chat = at_consent(flows, catalogue, language, channel)
    turn = chat.send(reply, intent="help", confidence=0.99)
    retry = "retry.yes_no_tap" if channel == "telegram" else "retry.yes_no"
    assert said(turn) == [retry, "consent.ask_share_views"]
    assert of_type(turn, ConsentRecorded) == []
    assert said(chat.send("HELP")) == ["common.help_person", "consent.ask_share_views"]
