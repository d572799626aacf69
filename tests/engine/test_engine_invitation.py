"""A working group's invitation, as the engine handles it: asked in the person's language and
register, naming only the support the group offers; only a clear yes or no (or 1 / 2) is an
answer, anything else is asked again with exactly what to send; nothing to someone who said
STOP."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.catalogue import load_catalogue
from bot.config import default_deployment
from bot.engine.engine import Engine
from bot.engine.events import GroupInvitationAnswered, MessageCreated
from bot.engine.ids import counting_ids
from bot.engine.inputs import Invitation, TurnInput, Understanding
from bot.engine.session import Session
from bot.engine.settings import EngineSettings
from bot.flowspec import FlowSet

CATALOGUE = load_catalogue()
SETTINGS = EngineSettings(
    session_timeout=timedelta(hours=24),
    deployment=replace(default_deployment(), org="Anytown Council"),
)
CARERS = Invitation(7, "Carers Voice", "2026-12-09 18:00", ("interpreter", "travel_costs"))


class Person:
    def __init__(self, flows: FlowSet) -> None:
        self.engine = Engine(flows, CATALOGUE, SETTINGS, counting_ids())
        self.session: Session | None = None
        self.n = 0
        self.events: tuple[object, ...] = ()

    def _turn(self, inp: TurnInput) -> list[MessageCreated]:
        turn = self.engine.handle(self.session, inp)
        self.session = turn.session
        self.events = turn.events
        return [e for e in turn.events if isinstance(e, MessageCreated)]

    def _at(self) -> datetime:
        self.n += 1
        return datetime(2026, 11, 2, 9, tzinfo=UTC) + timedelta(minutes=self.n)

    def send(self, text: str, language: str | None = None) -> list[MessageCreated]:
        understanding = Understanding(language=language, language_confidence=1.0)
        return self._turn(TurnInput("p", "sms", text, self._at(), understanding))

    def invite(self, invitation: Invitation = CARERS) -> list[MessageCreated]:
        return self._turn(
            TurnInput("p", "sms", "", self._at(), kind="group_invitation", invitation=invitation)
        )


def started(flows: FlowSet) -> Person:
    p = Person(flows)
    p.send("hello", "en")
    return p


def test_the_invitation_names_the_group_the_date_and_only_the_offers_it_has(
    flows: FlowSet,
) -> None:
    p = started(flows)
    (asked,) = p.invite()
    assert asked.text_id == "wg.invite_offers"
    assert "Carers Voice" in asked.text and "2026-12-09 18:00" in asked.text
    assert "an interpreter, travel costs" in asked.text and "childcare" not in asked.text
    assert [c.value for c in asked.choices] == ["yes", "no"]
    (plain,) = p.invite(replace(CARERS, offers=()))
    assert plain.text_id == "wg.invite" and "offer" not in plain.text


def test_only_a_clear_yes_or_no_answers_it(flows: FlowSet) -> None:
    p = started(flows)
    p.invite()
    again = p.send("maybe next time")
    assert again[0].text_id.startswith("retry.yes_no")
    assert [m.text_id for m in again][-1] == "wg.invite_offers"
    assert not any(isinstance(e, GroupInvitationAnswered) for e in p.events)
    said = p.send("yes")
    assert GroupInvitationAnswered(p._at() - timedelta(minutes=1), 7, True, "sms") in p.events
    assert said[0].text_id == "wg.invite_yes"


def test_no_is_recorded_as_declined(flows: FlowSet) -> None:
    p = started(flows)
    p.invite()
    p.send("2")
    (answered,) = [e for e in p.events if isinstance(e, GroupInvitationAnswered)]
    assert not answered.accepted and answered.group_id == 7


def test_the_invitation_is_in_the_persons_language_and_register(flows: FlowSet) -> None:
    p = Person(flows)
    p.send("ok")
    p.send("3")  # Polski from the language menu
    p.send("EASY")
    (asked,) = p.invite()
    assert asked.language == "pl" and asked.register == "easy"
    assert "Oferujemy" in asked.text and "pieniądze na dojazd" in asked.text


def test_nobody_who_said_stop_is_asked(flows: FlowSet) -> None:
    p = started(flows)
    p.send("STOP")
    assert p.invite() == [] and p.events == ()
    assert Person(flows).invite() == []  # nor a stranger


def test_after_a_long_silence_the_answer_leads_to_the_menu_not_an_old_question(
    flows: FlowSet,
) -> None:
    p = started(flows)
    waiting = p.send("hello")[-1].text_id  # the question the person left unanswered
    p.n += 60 * 24 * 3  # three days: longer than the session timeout
    p.invite()
    said = [m.text_id for m in p.send("yes")]
    assert said[0] == "wg.invite_yes" and waiting not in said[1:]
    fresh = started(flows)
    asked = fresh.send("hello")[-1].text_id
    fresh.invite()
    assert asked in [m.text_id for m in fresh.send("yes")][1:]  # soon after: back to it


def test_an_invitation_never_takes_the_place_of_deletes_confirmation(flows: FlowSet) -> None:
    p = started(flows)
    asked = p.send("DELETE")
    assert asked[-1].text_id == "common.delete_confirm"
    assert p.invite() == [] and p.events == ()
    said = [m.text_id for m in p.send("yes")]
    assert "common.deleted" in said
