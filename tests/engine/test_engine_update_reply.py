"""A reply to a "you said, we did" update: kept as a view on the update when nothing but the
menu waits (or the session expired), never when the person is in the middle of a flow; STOP and
safeguarding still come first. The host hands the engine the update (`TurnInput.update`)."""

from __future__ import annotations

from datetime import timedelta

from bot.catalogue import Catalogue
from bot.engine.events import AnswerSaved, SessionExpired
from bot.engine.inputs import TurnInput, Understanding, UpdateReceived
from bot.engine.session import Turn
from bot.flowspec import FlowSet
from tests.engine.chat import PARTICIPANT, Chat, make_engine, of_type, said

UPDATE = UpdateReceived(7, "You said the bus was late. From May it comes every 20 minutes.")


def reply(chat: Chat, text: str, after: timedelta = timedelta(hours=2)) -> Turn:
    chat.now += after
    turn = chat.engine.handle(
        chat.session,
        TurnInput(PARTICIPANT, "sms", text, chat.now, Understanding(), update=UPDATE),
    )
    chat.session = turn.session
    return turn


def in_the_consultation(flows: FlowSet, catalogue: Catalogue) -> Chat:
    """Consent given; the consultation's first (open) question waits."""
    chat = Chat(make_engine(flows, catalogue))
    chat.send("hello", language="en", language_confidence=0.95)
    chat.send("1")
    return chat


def at_the_menu(flows: FlowSet, catalogue: Catalogue) -> Chat:
    chat = in_the_consultation(flows, catalogue)
    for answer in ("skip", "skip", "skip", "skip", "skip"):
        chat.send(answer)
    assert chat.session is not None and chat.session.at_rest()
    return chat


def test_a_reply_at_the_menu_is_kept_as_a_view_on_the_update(
    flows: FlowSet, catalogue: Catalogue
) -> None:
    chat = at_the_menu(flows, catalogue)
    before = chat.session
    turn = reply(chat, "That is good news, thank you")
    (saved,) = of_type(turn, AnswerSaved)
    assert (saved.flow, saved.step, saved.store) == ("update", "update-7", "view")
    assert saved.raw_text == "That is good news, thank you"
    assert saved.question_text == UPDATE.text and saved.consultation == "updates"
    assert said(turn) == ["update.reply_thanks"]
    assert before is not None and turn.session.position == before.position  # the menu waits


def test_a_reply_after_the_session_expired_has_no_welcome_back(
    flows: FlowSet, catalogue: Catalogue
) -> None:
    chat = in_the_consultation(flows, catalogue)
    turn = reply(chat, "Great", after=timedelta(days=2))
    assert of_type(turn, SessionExpired) and of_type(turn, AnswerSaved)
    assert said(turn) == ["update.reply_thanks"]


def test_in_the_middle_of_a_flow_the_message_answers_the_question(
    flows: FlowSet, catalogue: Catalogue
) -> None:
    chat = in_the_consultation(flows, catalogue)
    turn = reply(chat, "more buses please", after=timedelta(minutes=5))
    (saved,) = of_type(turn, AnswerSaved)
    assert saved.flow == "have_your_say"
    assert "update.reply_thanks" not in said(turn)


def test_stop_in_reply_to_an_update_stops(flows: FlowSet, catalogue: Catalogue) -> None:
    chat = at_the_menu(flows, catalogue)
    turn = reply(chat, "STOP")
    assert said(turn) == ["common.stopped"] and not of_type(turn, AnswerSaved)
