"""What a deployment tells the engine: thresholds, timeouts and the words its messages fill in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

# What a deployment may offer people who join a working group (HEARD_GROUP_SUPPORT).
GROUP_SUPPORT = ("travel", "childcare")
# `branch.on: deployment.<name>` reads these (docs/DESIGN.md, "Promises").
DEPLOYMENT_FLAGS = ("contact", "sends_updates", "group_support", "handover", "ask_register")


@dataclass(frozen=True)
class Deployment:
    """Placeholders every message may use: {org}, {contact}, {emergency}, the help line for a
    risk to oneself ({helpline_self}, {helpline_self_name}; {helpline} is the same number, for
    older texts) and the one for harm from others ({helpline_abuse}, {helpline_abuse_name}).

    A help line's name is printed beside its number, so a deployment that changes a number
    changes the name with it (bot.config refuses one without the other).

    The promise flags say what the deployment really does; flows branch on them
    (`deployment.<name>`) to pick a message that promises only that. Off unless given, so a
    deployment that configures nothing promises nothing. The default names and numbers live in
    bot.config (`default_deployment`), the one place that holds defaults.
    """

    org: str
    helpline: str  # for a risk to oneself: {helpline_self} (and {helpline})
    helpline_self_name: str
    helpline_abuse: str
    helpline_abuse_name: str
    emergency: str
    contact: str = ""  # none
    # True only where a coordinator reads safeguarding alerts and contacts the person: only then
    # does the engine say "someone from our team will be in touch" after the help lines.
    coordinators_follow_up: bool = False
    sends_updates: bool = False  # the team texts people what changed after a consultation
    group_support: tuple[str, ...] = ()  # what working-group members get paid: GROUP_SUPPORT
    handover: bool = False  # someone follows up every "talk to a person" request
    # The opening asks "standard or easy read?"; otherwise EASY works at any time, unasked.
    ask_register: bool = False

    @classmethod
    def from_mapping(cls, values: Mapping[str, str]) -> Deployment:
        """From `Settings.deployment` (strings from the environment, already validated)."""
        return cls(
            org=values["org"],
            helpline=values["helpline"],
            helpline_self_name=values["helpline_self_name"],
            helpline_abuse=values["helpline_abuse"],
            helpline_abuse_name=values["helpline_abuse_name"],
            emergency=values["emergency"],
            contact=values.get("contact", ""),
            coordinators_follow_up=values.get("safeguarding_follow_up") == "yes",
            sends_updates=values.get("sends_updates") == "yes",
            group_support=tuple(s for s in values.get("group_support", "").split(",") if s),
            handover=values.get("handover") == "yes",
            ask_register=values.get("ask_register") == "yes",
        )

    def promise(self, name: str) -> str:
        """The value a flow branches on: "yes" / "no" for a flag, the offers sorted and
        comma-separated ("" for none) for group_support, "yes" / "no" for whether a contact
        is set. An unknown name is ""."""
        if name == "group_support":
            return ",".join(s for s in GROUP_SUPPORT if s in self.group_support)
        flags = {
            "contact": bool(self.contact.strip()),
            "sends_updates": self.sends_updates,
            "handover": self.handover,
            "ask_register": self.ask_register,
        }
        if name not in flags:
            return ""
        return "yes" if flags[name] else "no"

    def params(self) -> dict[str, str]:
        return {
            "org": self.org,
            "helpline": self.helpline,
            "helpline_self": self.helpline,
            "helpline_self_name": self.helpline_self_name,
            "helpline_abuse": self.helpline_abuse,
            "helpline_abuse_name": self.helpline_abuse_name,
            "emergency": self.emergency,
            "contact": self.contact,
            "contact_email": self.contact,
        }


@dataclass(frozen=True)
class EngineSettings:
    # No default: the deployment's setting (bot.config, HEARD_SESSION_TIMEOUT_MINUTES).
    session_timeout: timedelta
    deployment: Deployment
    # A language guess at least this confident fills `guessed_language` for the welcome flow.
    # (0.75, not 0.8: a real six-letter greeting such as "Shwmae" scores 0.8 less a rounding error.)
    language_confidence: float = 0.75
    # An intent at least this confident counts as a command or a branch subject (never as a
    # yes/no answer: those need words, bot.engine.replies).
    intent_confidence: float = 0.6
    # Not-understood replies to one question before the reply also offers MENU / PERSON.
    max_retries: int = 2
    # Steps one turn may run; only a broken flow gets near it.
    step_budget: int = 100
