"""The conversation engine: `(session, input) -> Turn(session, events)`, pure and deterministic.

A provider opt-out (`TurnInput.kind == "provider_opt_out"`) is handled apart: like STOP, every
flow is left and the person is opted out, but nothing is said; already opted out, nothing happens.
A working group's invitation (`kind == "group_invitation"`) asks the person YES or NO as the
engine's own confirmation (bot.engine.pending.invite); to someone opted out, nothing is said.

Order inside one turn (docs/DESIGN.md):
1. opted out: nothing is said, except to START, which brings the person back to the question
   they were at when they stopped (saying so), or, when that is gone (the session would have
   expired, or the content changed), to the menu; a risk is still recorded as an alert,
   without a message, so a coordinator can act on it;
2. an expired session: `SessionExpired` and `common.welcome_back`; language, register and
   consents are kept, everything in progress is dropped, and the person goes to the menu
   (welcome if they never chose a language). The text that woke the session is still checked
   for risk and commands, but is not taken as an answer to the old question;
3. safeguarding: an alert, then for a clear sign the help reply for its kind, a handover and
   "carry on?"; for an uncertain one a kind check-in, after keeping the answer it came with;
4. whole-message commands (STOP always wins);
5. a reply to an update the host handed in (`TurnInput.update`), when nothing but the menu waits
   or the session had expired: kept as a view on the update (bot.engine.update_reply);
6. the waiting confirmation or question; with nothing waiting, the flow on the stack or home.
"""

from __future__ import annotations

from bot.catalogue import Catalogue
from bot.engine import commands, consultations, safeguarding, waiting
from bot.engine.answers import answer_question
from bot.engine.context import TurnContext
from bot.engine.events import OptedIn, SessionExpired
from bot.engine.flowstack import abandon, home, start_of
from bot.engine.ids import IdFactory
from bot.engine.inputs import TurnInput
from bot.engine.letters import note_how_they_write
from bot.engine.pending import answer_pending, invite
from bot.engine.questions import waiting_ask
from bot.engine.runner import resume, run
from bot.engine.session import Session, Turn
from bot.engine.settings import EngineSettings
from bot.engine.update_reply import keep_reply
from bot.engine.working import Working
from bot.flowspec import texts
from bot.flowspec.model import FlowSet

# Session field: "yes" when a new person came by a deep link (the flow waits under welcome).
DEEP_LINK_FIELD = "deep_link"


class Engine:
    def __init__(
        self, flows: FlowSet, catalogue: Catalogue, settings: EngineSettings, ids: IdFactory
    ) -> None:
        missing = [f for f in (texts.WELCOME_FLOW, texts.MENU_FLOW) if f not in flows]
        if missing:
            raise ValueError(f"the engine needs the flows {', '.join(missing)}")
        self.flows = flows
        self.catalogue = catalogue
        self.settings = settings
        self.ids = ids

    def with_content(self, flows: FlowSet, catalogue: Catalogue) -> Engine:
        """The same engine handed other flows and texts (the stored consultations added,
        bot.service.consultations)."""
        return Engine(flows, catalogue, self.settings, self.ids)

    def handle(self, session: Session | None, inp: TurnInput) -> Turn:
        if session is None:
            work = Working.fresh(self.ids(), inp.participant_id, inp.channel, inp.at)
        else:
            work = Working.thaw(session)
        ctx = TurnContext(self.flows, self.catalogue, self.settings, self.ids, inp, work)
        if inp.kind == "provider_opt_out":
            if work.status != "opted_out":
                commands.stop(ctx, by_provider=True)
            return Turn(ctx.work.freeze(inp.at), tuple(ctx.events))
        if inp.kind == "group_invitation":
            busy = work.pending is not None and not work.pending.startswith("group_invite:")
            if session is None or work.status == "opted_out" or inp.invitation is None or busy:
                # Nobody to invite: never someone who said STOP, never a stranger; nor someone
                # answering DELETE's confirmation or a safeguarding check-in, whose yes or no
                # must not be taken for an answer to the invitation.
                return Turn(session, ()) if session is not None else Turn(
                    ctx.work.freeze(inp.at), ()
                )
            if inp.at - session.last_active > self.settings.session_timeout:
                # As after expiry, silently: the reply to the invitation leads to the menu, not
                # to a question from long ago.
                abandon(ctx)
                ctx.work.fields.clear()
            invite(ctx, inp.invitation)
            return Turn(ctx.work.freeze(inp.at), tuple(ctx.events))
        if session is None:
            self._new_person(ctx)
        elif work.status == "opted_out":
            self._opted_out(ctx, session)
            return Turn(ctx.work.freeze(inp.at), tuple(ctx.events))
        else:
            self._returning(ctx, session)
        note_how_they_write(ctx)
        self._turn(ctx, fresh=session is None or ctx.inp.start_flow is not None)
        return Turn(ctx.work.freeze(inp.at), tuple(ctx.events))

    def _deep_link(self, inp: TurnInput) -> str | None:
        """The flow a deep link names: a flow id, or a consultation's keyword (its live
        version: `https://t.me/<bot>?start=<keyword>`)."""
        link = inp.start_flow
        if not link:
            return None
        if link in self.flows:
            return link
        named = consultations.by_keyword(self.flows, link)
        return named.id if named is not None else None

    def _new_person(self, ctx: TurnContext) -> None:
        ctx.put_language_guess()
        link = self._deep_link(ctx.inp)
        if link is None:
            # A first message naming a consultation's keyword starts it after the opening.
            named = consultations.named(ctx, in_sentence=True)
            link = named.id if named is not None else None
        if link:
            ctx.work.stack.append(start_of(link))
            # Welcome reads this to leave the person to the flow they asked for.
            ctx.work.fields[DEEP_LINK_FIELD] = "yes"
        ctx.work.stack.append(start_of(texts.WELCOME_FLOW))

    def _returning(self, ctx: TurnContext, session: Session) -> None:
        if ctx.work.status == "ended":
            ctx.work.status = "active"
        idle = ctx.at - session.last_active
        expired = idle > self.settings.session_timeout
        if ctx.inp.update is not None and (expired or session.at_rest()):
            # Possibly a reply to an update: no welcome back; what was in progress is dropped
            # as on expiry (bot.engine.update_reply).
            ctx.update_reply = ctx.inp.update
            if expired:
                ctx.emit(SessionExpired(ctx.at, int(idle.total_seconds())))
                abandon(ctx)
                ctx.work.fields.clear()
            return
        if expired:
            ctx.emit(SessionExpired(ctx.at, int(idle.total_seconds())))
            abandon(ctx)
            ctx.work.fields.clear()
            ctx.say(texts.WELCOME_BACK)
        link = self._deep_link(ctx.inp)
        if link:
            abandon(ctx)
            ctx.work.stack.append(start_of(link))

    def _opted_out(self, ctx: TurnContext, session: Session) -> None:
        found = safeguarding.detect(ctx)
        if found:
            safeguarding.alert(ctx, found)
        # Only the keyword brings a person back: an intent guess is not consent to messages.
        if waiting.keyword(ctx) != "start":
            return
        ctx.work.status = "active"
        ctx.emit(OptedIn(ctx.at, ctx.inp.channel))
        fresh = ctx.at - session.last_active <= self.settings.session_timeout
        if not fresh:
            ctx.work.pending = None  # a check-in kept through STOP is stale after the timeout
        if fresh and (ctx.work.pending is not None or waiting_ask(ctx) is not None):
            ctx.say(texts.STARTED_RESUME)
            resume(ctx)
            return
        abandon(ctx)
        if not fresh:
            ctx.work.fields.clear()  # as after expiry: answers in progress are not kept
        ctx.say(texts.STARTED)
        run(ctx, home(ctx))

    def _turn(self, ctx: TurnContext, *, fresh: bool = False) -> None:
        """`fresh`: a new person's first turn (a keyword was looked for already)."""
        found = safeguarding.detect(ctx)
        if found:
            safeguarding.respond(ctx, found)
            return
        if not fresh and waiting.keyword(ctx) is None:
            # A consultation's keyword as the whole message wins over a guessed intent (the
            # catalogue's own command words, STOP first, still win over it).
            named = consultations.named(ctx, in_sentence=False)
            if named is not None:
                consultations.start(ctx, named)
                return
        command = commands.detect(ctx)
        if command is not None and commands.apply(ctx, command):
            return
        if not fresh:
            # A keyword inside a sentence starts a consultation only when no question and no
            # update is waiting for this reply (otherwise the sentence is the answer).
            named = consultations.named(
                ctx,
                in_sentence=ctx.update_reply is None
                and not consultations.open_question_waits(ctx),
            )
            if named is not None:
                consultations.start(ctx, named)
                return
            if consultations.waiting_in_closed(ctx):
                consultations.closed(ctx)
                return
        if ctx.update_reply is not None:
            keep_reply(ctx, ctx.update_reply)
        elif ctx.work.pending is not None:
            answer_pending(ctx)
        elif waiting_ask(ctx) is not None:
            answer_question(ctx)
        else:
            resume(ctx)
