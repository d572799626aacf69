"""Everything one turn works with: the injected parts, the input, the working session and the
events so far. Helpers here speak to the person; they never perform I/O."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.catalogue import Catalogue
from bot.catalogue.model import BASE_LANGUAGE, ResolvedText
from bot.engine.events import Choice, Event, LanguageChanged, MessageCreated, RegisterChanged
from bot.engine.ids import IdFactory
from bot.engine.inputs import TurnInput, UpdateReceived
from bot.engine.replies import Vocabulary
from bot.engine.session import Frame
from bot.engine.settings import EngineSettings
from bot.engine.working import Working
from bot.flowspec import texts
from bot.flowspec.model import FlowSet
from bot.terms import REGISTERS, Register

GUESSED_LANGUAGE = "guessed_language"
# Set by bot.engine.letters from the person's own messages: "yes" when they write without
# accents (kept here so `say` can read it without importing that module).
PLAIN_LETTERS_FIELD = "plain_letters"
# The languages a first message's script makes plausible ("ur,ar" for Arabic letters), offered
# first in the language menu, so its numbers mean the same when the person replies.
LANGUAGE_MENU_FIRST_FIELD = "language_menu_first"
GUESSED_LANGUAGE_NAME = "guessed_language_name"
# A message may have a wording of its own for a channel: the catalogue id, "@" and this name
# ("common.stopped@telegram": "Send START" where SMS says "Text START"). Not a dot: a dot joins
# a question's id to an option's ("wg.q_contact.telegram" is the option Telegram). Used whenever
# the catalogue has it; `MessageCreated.text_id` stays the id the flow or the engine named.
CHANNEL_VARIANTS = {"telegram": "telegram", "sim-telegram": "telegram"}


class BudgetExceeded(Exception):
    """A turn ran more steps than `EngineSettings.step_budget`: a flow loops without asking."""


@dataclass
class TurnContext:
    flows: FlowSet
    catalogue: Catalogue
    settings: EngineSettings
    ids: IdFactory
    inp: TurnInput
    work: Working
    events: list[Event] = field(default_factory=list)
    steps_run: int = 0
    rescued: bool = False  # the step budget ran out once this turn
    asked_before: Frame | None = None  # the question waiting when the turn began
    # Set when this message is taken as a reply to the update in `inp.update` (bot.engine.engine).
    update_reply: UpdateReceived | None = None

    def __post_init__(self) -> None:
        self.asked_before = self.work.position

    @property
    def at(self) -> datetime:
        return self.inp.at

    @property
    def language(self) -> str:
        """The language the engine speaks: the person's choice, else a confident guess, else
        English. An unknown code in a stored session also falls back to English."""
        for code in (self.work.language, self.work.fields.get(GUESSED_LANGUAGE)):
            if code and code in self.catalogue.languages:
                return code
        return BASE_LANGUAGE

    @property
    def intent(self) -> str | None:
        u = self.inp.understanding
        return u.intent if u.intent_confidence >= self.settings.intent_confidence else None

    def vocabulary(self) -> Vocabulary:
        return Vocabulary.of(self.catalogue, self.language)

    def spend_step(self) -> None:
        self.steps_run += 1
        if self.steps_run > self.settings.step_budget:
            raise BudgetExceeded

    def emit(self, event: Event) -> None:
        self.events.append(event)

    def params(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        # Deployment values win over answers (and over `extra`, numbers the engine computes for
        # one message), so an answer cannot pose as the helpline.
        return {**self.work.fields, **(extra or {}), **self.settings.deployment.params()}

    def render(self, text_id: str, extra: dict[str, str] | None = None) -> ResolvedText:
        return self.catalogue.text(
            self.language, self.work.register, self.for_channel(text_id), self.params(extra)
        )

    def for_channel(self, text_id: str) -> str:
        """The channel's own wording of `text_id` when the catalogue has one, else `text_id`."""
        suffix = CHANNEL_VARIANTS.get(self.inp.channel)
        variant = f"{text_id}@{suffix}" if suffix else ""
        return variant if variant and self.catalogue.has(BASE_LANGUAGE, variant) else text_id

    def label(self, text_id: str) -> str:
        return self.render(text_id).text

    def help_text(self) -> str:
        """The help reply offers PERSON only when someone follows such a request up: a message
        promises only what the deployment does."""
        return texts.HELP_PERSON if self.settings.deployment.handover else texts.HELP

    def say(
        self,
        text_id: str,
        choices: tuple[Choice, ...] = (),
        *,
        params: dict[str, str] | None = None,
        in_languages: tuple[str, ...] = (),
    ) -> None:
        """`params` fill placeholders of this one message (numbers the engine computes).
        `in_languages`: the message said in each of these languages in turn, one line each,
        for someone whose language is not known yet (the first names the message's language)."""
        resolved = self.render(text_id, params)
        if in_languages:
            lines = [
                self.catalogue.text(
                    code, self.work.register, self.for_channel(text_id), self.params(params)
                )
                for code in in_languages
            ]
            resolved = replace(lines[0], text="\n".join(line.text for line in lines))
        self.emit(
            MessageCreated(
                at=self.at,
                message_id=self.ids(),
                text_id=text_id,
                text=resolved.text,
                language=resolved.language,
                register=self.work.register,
                choices=choices,
                direction=resolved.direction,
                fallback=resolved.fallback,
                plain_letters=self.work.fields.get(PLAIN_LETTERS_FIELD) == "yes",
            )
        )

    def set_language(self, code: str) -> None:
        """Switches to a catalogue language; anything else is ignored (never a crash)."""
        if code not in self.catalogue.languages:
            return
        self.work.fields.pop(LANGUAGE_MENU_FIRST_FIELD, None)  # the menu's order served its turn
        if code == self.work.language:
            return
        previous = self.work.language
        self.work.language = code
        self.emit(LanguageChanged(self.at, code, previous))

    def set_register(self, register: str) -> None:
        if register not in REGISTERS or register == self.work.register:
            return
        value: Register = "easy" if register == "easy" else "standard"
        self.work.register = value
        self.emit(RegisterChanged(self.at, value))

    def put_language_guess(self, *, keep_earlier: bool = False) -> None:
        """Fills the fields the welcome flow branches on, from this turn's language guess.

        With `keep_earlier`, a guess made on an earlier turn (the person's first message, before
        a safeguarding question or STOP) stays unless this turn has a confident one.
        """
        u = self.inp.understanding
        confident = u.language_confidence >= self.settings.language_confidence
        # A whole message that is a catalogue greeting of one language ("hi", "nomoskar",
        # "ahlan wa sahlan") names that language, whatever the guesser says: the lists are
        # written per language, while the guesser reads one or two romanised words as some
        # other language ("nomoskar" as Polish). The guess is confirmed like any other: a
        # reply not understood at the consent question offers the language menu.
        code = self.catalogue.greeting_language(self.inp.text)
        if code is None and confident and u.language in self.catalogue.languages:
            code = u.language
        if code is None and keep_earlier and GUESSED_LANGUAGE in self.work.fields:
            return
        self.work.fields[GUESSED_LANGUAGE] = code or ""
        self.work.fields[GUESSED_LANGUAGE_NAME] = (
            self.catalogue.languages[code].name if code else ""
        )
