"""What the host hands the engine for one turn. Built outside the engine, where I/O is allowed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

# What a safeguarding screen can find. `unspecified` is a call for help that names no kind of
# risk ("help me", "please help"): it earns a check-in, never silence.
SafeguardingKind = Literal["risk_to_self", "harm_from_others", "immediate_danger", "unspecified"]
ScreeningLevel = Literal["clear", "check"]
ScreeningSource = Literal["keyword", "intent"]


@dataclass(frozen=True)
class Screening:
    """What the safeguarding screen (bot.nlu.screening) made of the text, before the turn.

    `clear`: a disclosure (a listed phrase, or the classifier above its calibrated high
    threshold): the person gets the help reply for `kind`. `check`: an uncertain sign: a short,
    kind check-in, and an answer it came with is kept. `source` says which part found it; the
    engine ignores an `intent` finding when the reply is Heard's own words (a tapped option).
    """

    kind: SafeguardingKind
    level: ScreeningLevel
    source: ScreeningSource


@dataclass(frozen=True)
class Understanding:
    """What the NLU backend, the language guesser and the safeguarding screen made of the
    text, before the turn.

    `intent` is None when nothing was understood with enough confidence. `language` is a guess
    for this one text (ISO 639-1), not the person's choice: the engine decides whether to act on it.
    `safeguarding` is None when the text shows no sign of risk.
    """

    intent: str | None = None
    intent_confidence: float = 0.0
    language: str | None = None
    language_confidence: float = 0.0
    safeguarding: Screening | None = None


# What reached the host: a message from the person, or the provider's word that the person can
# no longer be messaged (Twilio 21610: they texted STOP to the number; Telegram 403: they blocked
# the bot). The engine handles `provider_opt_out` like STOP, but says nothing: nobody can hear it.
# `group_invitation` (no text): a coordinator invites the person to a working group
# (`TurnInput.invitation`); the engine asks them YES or NO and waits for the reply.
InputKind = Literal["message", "provider_opt_out", "group_invitation"]


@dataclass(frozen=True)
class Invitation:
    """An invitation to a working group, as a coordinator made it. `group` is the group's name
    and `date` the meeting's date as given (shown as written); `offers` the support the group
    offers (bot.terms.GROUP_SUPPORT_KINDS), named in the person's language by the catalogue's
    `wg.offer.<kind>` labels."""

    group_id: int
    group: str
    date: str
    offers: tuple[str, ...] = ()


@dataclass(frozen=True)
class UpdateReceived:
    """A "you said, we did" update the person received after their last message and not long
    ago, handed in by the host (bot.service.conversation). A reply when nothing but the menu
    waits is kept as a view on the update (question `update-<id>`), never as a menu answer."""

    update_id: int
    text: str  # the update as the person got it: the view's question


@dataclass(frozen=True)
class TurnInput:
    participant_id: str
    channel: str  # "sms" | "telegram" | "terminal"
    text: str
    at: datetime  # timezone-aware; the engine's only clock
    understanding: Understanding = Understanding()
    start_flow: str | None = None  # a deep link (Telegram /start <code>) asking for a flow
    kind: InputKind = "message"  # `provider_opt_out` carries no text
    invitation: Invitation | None = None  # with kind `group_invitation`
    # What the deployment's working groups pay for, as the store holds them (the host reads it;
    # "travel", "childcare": bot.engine.settings.GROUP_SUPPORT). None: the Deployment's own
    # setting (HEARD_GROUP_SUPPORT), for hosts without a store.
    group_support: tuple[str, ...] | None = None
    update: UpdateReceived | None = None  # the update this may be a reply to (see above)
