"""A message promises only what the deployment does: updates, payment for a working group's
travel and childcare, and a call back are said only when the deployment has them configured."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.catalogue import load_catalogue
from bot.catalogue.model import fold
from bot.config import ConfigError, default_deployment, load_settings
from bot.engine.engine import Engine
from bot.engine.events import MessageCreated
from bot.engine.ids import counting_ids
from bot.engine.inputs import TurnInput, Understanding
from bot.engine.session import Session
from bot.engine.settings import Deployment, EngineSettings
from bot.flowspec import FlowSet

CATALOGUE = load_catalogue()
BASE = replace(default_deployment(), org="Anytown Council", contact="heard@example.org")

# English texts that promise something, and the deployment setting each needs.
PROMISES = {
    r"text you what changed|tell you what changed|what changed because": "sends_updates",
    r"\bwe pay\b": "group_support",
    r"will contact you|asked someone .* to contact you": "handover",
}
# The only messages allowed to make them (each shown only behind a branch on its setting).
GATED = {
    "hys.thanks_updates": "sends_updates",
    "hys.ask_updates": "sends_updates",
    "wg.support_travel_childcare": "group_support",
    "wg.support_travel": "group_support",
    "wg.support_childcare": "group_support",
    "wg.thanks_contact": "handover",
    "common.handover_done": "handover",
    # Said by the engine itself, only when Deployment.coordinators_follow_up is set
    # (tests/engine/test_engine_safeguarding.py).
    "safeguarding.continue_follow_up": "handover",
}


def test_every_promise_in_the_catalogue_is_a_gated_message() -> None:
    english = CATALOGUE.languages["en"].messages
    found = {
        (text_id, setting)
        for text_id, entry in english.items()
        for pattern, setting in PROMISES.items()
        for text in (entry.standard, entry.easy)
        if re.search(pattern, text, re.IGNORECASE)
    }
    assert found == {(text_id, setting) for text_id, setting in GATED.items()}


def test_gated_messages_follow_a_branch_on_their_setting(flows: FlowSet) -> None:
    for flow in flows.flows.values():
        targets = {
            case.next: step.on
            for step in flow.steps.values()
            if getattr(step, "on", "").startswith("deployment.")
            for case in step.cases  # type: ignore[attr-defined]
        }
        for step in flow.steps.values():
            text = getattr(step, "text", None)
            if text in GATED:
                assert targets.get(step.id) == f"deployment.{GATED[text]}", (flow.id, step.id)


class Person:
    def __init__(self, flows: FlowSet, **deployment: Any) -> None:
        settings = EngineSettings(
            session_timeout=timedelta(hours=24), deployment=replace(BASE, **deployment)
        )
        self.engine = Engine(flows, CATALOGUE, settings, counting_ids())
        self.session: Session | None = None
        self.sent = 0

    def send(self, text: str, language: str | None = None) -> list[str]:
        self.sent += 1
        at = datetime(2026, 11, 2, 9, tzinfo=UTC) + timedelta(minutes=self.sent)
        understanding = Understanding(language=language, language_confidence=1.0)
        turn = self.engine.handle(self.session, TurnInput("p", "sms", text, at, understanding))
        self.session = turn.session
        return [e.text_id for e in turn.events if isinstance(e, MessageCreated)]


def have_your_say(p: Person) -> list[str]:
    p.send("hello", "en")
    said: list[str] = []
    for reply in ("yes", "skip", "skip", "skip", "skip", "skip"):
        said = p.send(reply)
    return said


@pytest.mark.parametrize(
    ("sends_updates", "thanks"), [(False, "hys.thanks"), (True, "hys.ask_updates")]
)
def test_updates_are_promised_only_when_sent(
    flows: FlowSet, sends_updates: bool, thanks: str
) -> None:
    assert have_your_say(Person(flows, sends_updates=sends_updates))[0] == thanks


@pytest.mark.parametrize(
    ("answer", "thanks"),
    [("yes", "hys.thanks_updates"), ("no", "hys.thanks"), ("ok bye", "retry.yes_no")],
)
def test_updates_are_promised_only_after_a_clear_yes(
    flows: FlowSet, answer: str, thanks: str
) -> None:
    person = Person(flows, sends_updates=True)
    have_your_say(person)
    assert person.send(answer)[0] == thanks


def test_a_person_who_said_no_to_updates_is_not_asked_again(flows: FlowSet) -> None:
    person = Person(flows, sends_updates=True)
    have_your_say(person)
    person.send("no")
    person.send("1")  # the menu: have your say again
    said: list[str] = []
    for reply in ("skip", "skip", "skip", "skip", "skip"):
        said = person.send(reply)
    assert "hys.ask_updates" not in said and "hys.thanks" in said


def join_group(p: Person) -> list[str]:
    p.send("hello", "en")
    p.send("yes")
    p.send("MENU")
    said: list[str] = []
    # join; may we contact you; interested; topics; availability; needs (2 steps); contact
    for reply in ("2", "yes", "yes", "1", "1", "4", "1", "1"):
        said = p.send(reply)
    return said


@pytest.mark.parametrize(
    ("group_support", "handover", "expected"),
    [
        ((), False, ["wg.thanks"]),
        (("travel",), False, ["wg.support_travel", "wg.thanks"]),
        (("childcare",), True, ["wg.support_childcare", "wg.thanks_contact"]),
        (("travel", "childcare"), True, ["wg.support_travel_childcare", "wg.thanks_contact"]),
    ],
)
def test_a_working_group_is_promised_only_what_is_offered(
    flows: FlowSet, group_support: tuple[str, ...], handover: bool, expected: list[str]
) -> None:
    said = join_group(Person(flows, group_support=group_support, handover=handover))
    assert said[: len(expected)] == expected


@pytest.mark.parametrize(
    ("handover", "contact", "reply"),
    [
        (True, "heard@example.org", "common.handover_done"),
        (False, "heard@example.org", "common.handover_noted_contact"),
        (False, "", "common.handover_noted"),
    ],
)
def test_a_call_back_is_promised_only_with_a_handover(
    flows: FlowSet, handover: bool, contact: str, reply: str
) -> None:
    p = Person(flows, handover=handover, contact=contact)
    p.send("hello", "en")
    assert p.send("PERSON")[0] == reply  # the command
    p.send("yes")
    p.send("MENU")
    p.send("4")  # more
    assert p.send("1")[0] == reply  # the menu's "talk to a person"


@pytest.mark.parametrize(
    ("contact", "about"), [("heard@example.org", "consent.about"), ("", "consent.about_no_contact")]
)
def test_the_consent_text_names_the_contact_when_there_is_one(
    flows: FlowSet, contact: str, about: str
) -> None:
    assert Person(flows, contact=contact).send("hello", "en")[0] == about


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, {"sends_updates": "no", "group_support": "", "handover": "no", "ask_register": "no"}),
        (
            {
                "HEARD_SENDS_UPDATES": "yes",
                "HEARD_GROUP_SUPPORT": "childcare, travel",
                "HEARD_HANDOVER": "true",
                "HEARD_ASK_REGISTER": "1",
            },
            {
                "sends_updates": "yes",
                "group_support": "travel,childcare",
                "handover": "yes",
                "ask_register": "yes",
            },
        ),
        ({"HEARD_GROUP_SUPPORT": "childcare"}, {"group_support": "childcare"}),
    ],
)
def test_promise_settings_from_the_environment(
    tmp_path: Any, env: dict[str, str], expected: dict[str, str]
) -> None:
    settings = load_settings({"HEARD_DATA_DIR": str(tmp_path), **env})
    assert {k: settings.deployment[k] for k in expected} == expected
    deployment = Deployment.from_mapping(settings.deployment)
    assert deployment.promise("group_support") == expected.get(
        "group_support", deployment.promise("group_support")
    )


@pytest.mark.parametrize(
    "env",
    [{"HEARD_SENDS_UPDATES": "maybe"}, {"HEARD_GROUP_SUPPORT": "taxi"}, {"HEARD_HANDOVER": "2"}],
)
def test_unclear_promise_settings_stop_start_up(tmp_path: Any, env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        load_settings({"HEARD_DATA_DIR": str(tmp_path), **env})


@pytest.mark.parametrize(
    ("handover", "reply"), [(True, "common.help_person"), (False, "common.help")]
)
def test_help_offers_a_person_only_with_a_handover(
    flows: FlowSet, handover: bool, reply: str
) -> None:
    p = Person(flows, handover=handover)
    p.send("hello", "en")
    assert p.send("HELP")[0] == reply


def test_the_help_without_a_handover_names_no_person_word_in_any_language() -> None:
    # Every language, register and channel wording: the words that ask for a person (the
    # catalogue's PERSON keywords) appear in the help that offers one and never in the other.
    for code, language in CATALOGUE.languages.items():
        person_words = {fold(w) for w in CATALOGUE.words(code, "person") if " " not in w}
        for suffix in ("", "@telegram"):
            plain = language.messages[f"common.help{suffix}"]
            offered = language.messages[f"common.help_person{suffix}"]
            for register in ("standard", "easy"):
                without = set(re.findall(r"\w+", fold(plain.variant(register))))  # type: ignore[arg-type]
                with_person = set(re.findall(r"\w+", fold(offered.variant(register))))  # type: ignore[arg-type]
                assert not without & person_words, (code, suffix, register)
                assert with_person & person_words, (code, suffix, register)
