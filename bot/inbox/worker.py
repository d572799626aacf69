"""The inbox worker: runs one conversation turn per inbox item, exactly once.

An item is a person's message, or a provider's opt-out (queued by the outbox worker, see
bot.inbox.payload), which the engine handles like STOP without a reply. This worker is the
only writer of sessions.

Per item, the message is first understood (the NLU) in a unit of work that only reads; then ONE
unit of work holds the turn (session, views, consents, ...), one outbox row per
reply (each with its own message id) and `inbox.done`; it commits or leaves nothing. A worker
that dies before the commit leaves the item `processing`; after the lease another claim takes
it and the turn runs again from the same stored session, so nothing is lost or done twice. A
worker that outlived its lease learns it from `inbox.done` (no row left with its claim's
attempts count) and rolls its turn back.
A turn that raises is rolled back and the failure recorded with the exception's type only (its
message could quote what the person wrote); the item is claimed again, and after `max_attempts`
failures (or claims without a result: the worker died each time) it is `dead`: never claimed
again, and the same sender's later messages proceed (storage.repositories.inbox). An item whose
payload cannot be decrypted is dead at once. `heard inbox dead` lists dead items.

After an erasure (DELETE, confirmed) the person no longer exists, but the confirmation must
still reach them: those replies are queued with no participant. Every reply is queued to the
address the message came from; the outbox keeps it encrypted only until the message is sent or
fails.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from bot.catalogue import Catalogue
from bot.channels.base import InboundMessage
from bot.channels.registry import outbox_message
from bot.clock import Clock, utcnow
from bot.engine.inputs import Invitation
from bot.inbox.pacing import TurnPacer
from bot.inbox.payload import GroupInvitation, ProviderOptOut, from_payload
from bot.service.consultations import FlowRegistry
from bot.service.conversation import Conversation, TurnOutcome, Understood
from storage.db import connection_lost
from storage.records import InboxItem
from storage.unit_of_work import Store, UnitOfWork

log = logging.getLogger("heard.inbox")


# Telegram sends `/start` when a chat is opened, or reopened after blocking the bot: a greeting
# (START: the welcome flow for a new person, the menu, or opting back in), never an answer.
TELEGRAM_START = "/start"
START_WORD = "START"
STOP_WORD = "STOP"


def turn_text(inbound: InboundMessage, catalogue: Catalogue) -> str:
    """The text the engine sees.

    A provider's own opt-out (Twilio `OptOutType`) is binding whatever the words were: if the
    engine would not read the body as that command in any language (Twilio also knows
    "UNSUBSCRIBE", "CANCEL", ...), the engine is given the English keyword instead. A body the
    engine already reads as the command is kept, so the reply is in the person's language and
    the consent record gets exactly one entry.
    """
    wanted = {"STOP": "stop", "START": "start"}.get(inbound.opt_out_type or "")
    if wanted is not None and catalogue.keyword_command(inbound.text) != wanted:
        return STOP_WORD if wanted == "stop" else START_WORD
    if inbound.text == TELEGRAM_START and inbound.deep_link is None:
        return START_WORD
    return inbound.text


class InboxWorker:
    def __init__(
        self,
        store: Store,
        conversation: Conversation,
        catalogue: Catalogue,
        *,
        clock: Clock = utcnow,
        lease_seconds: float = 120.0,
        batch: int = 16,
        max_attempts: int = 5,
        pacer: TurnPacer | None = None,
    ) -> None:
        """`lease_seconds` must be far longer than a turn: an item whose claim is older is
        taken again by another claim. After `max_attempts` claims that failed or gave no
        result (the worker died each time) the item is dead, so one poisonous message cannot
        stop a worker, nor its sender's later messages, for ever. With a `pacer` (the web
        service in the same process), each turn of `run` first waits for it
        (bot.inbox.pacing); `batch` turns at most `batch * max_defer_seconds` of the lease."""
        self._pacer = pacer
        self._store = store
        self._base = conversation
        self._conversation = conversation
        # The engine's flows: `flows/` plus the consultations opened in the workspace, read
        # again before each batch (bot.service.consultations).
        self._registry = FlowRegistry(conversation.engine.flows, conversation.engine.catalogue)
        self._catalogue = catalogue
        self._clock = clock
        self._lease = lease_seconds
        self._batch = batch
        self._max_attempts = max_attempts
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something was added to the inbox: look now instead of at the next poll. Call from
        the worker's own event loop."""
        self._wake.set()

    def claim(self) -> list[InboxItem]:
        with self._store.unit_of_work() as uow:
            items = uow.inbox.claim(self._batch, self._clock(), self._lease)
            uow.commit()
        return items

    def run_once(self) -> int:
        """Claims a batch and handles it; returns how many items were claimed."""
        items = self.claimed_batch()
        for item in items:
            self.process(item)
        return len(items)

    def claimed_batch(self) -> list[InboxItem]:
        """Claims a batch, with the engine's flows refreshed for it."""
        items = self.claim()
        if items:
            self.refresh_flows()
        return items

    async def run_batch(self) -> int:
        """`run_once` from the event loop: claims in a thread, then runs each turn in a thread,
        after the pacer lets it start (the web side is quiet, or it has waited long enough).
        Without a pacer (`heard worker`) the batch runs in one thread, one hand-off per batch."""
        if self._pacer is None:
            return await asyncio.to_thread(self.run_once)
        items = await asyncio.to_thread(self.claimed_batch)
        for item in items:
            if self._pacer is not None:
                await self._pacer.wait()
            await asyncio.to_thread(self.process, item)
        return len(items)

    def refresh_flows(self) -> None:
        """Hands the engine the stored consultations as they are now (a new version opened,
        dates changed, one opened or closed since the last batch)."""
        with self._store.reading() as reader:
            changed = self._registry.refresh(reader, self._clock())
        if changed:
            self._conversation = self._base.with_content(
                self._registry.flows, self._registry.catalogue
            )

    def process(self, item: InboxItem) -> None:
        """Understands the message first, reading only (the NLU runs outside any write
        transaction: on SQLite the webhook and other turns keep the write lock meanwhile),
        then runs the turn in its one unit of work."""
        if item.attempts > self._max_attempts:
            self._dead(item, f"gave up after {item.attempts - 1} claims without a result")
            return
        try:
            self.finish(item, self.understand(item))
        except Exception as exc:  # any failure of one turn must not stop the others
            if connection_lost(exc):
                # The database connection broke, not the turn: the item stays claimed and is
                # taken again when its lease runs out.
                log.warning("inbox item %d: database connection lost; retried later", item.item_id)
                return
            # The type only: exception messages can quote the person's words or number.
            log.error("inbox item %d failed: %s", item.item_id, type(exc).__name__)
            self._failure(item, type(exc).__name__)

    def understand(self, item: InboxItem) -> Understood | None:
        """The NLU's reading of the item's message (None for a message without words, and for a
        provider's opt-out, which has none)."""
        inbound = from_payload(item.channel, item.provider_key, item.payload)
        if isinstance(inbound, ProviderOptOut | GroupInvitation) or inbound.media:
            return None
        with self._store.reading() as reader:
            return self._conversation.understand_first(
                reader,
                channel=inbound.channel,
                address=inbound.address,
                text=turn_text(inbound, self._catalogue),
                language_hint=inbound.language_hint,
            )

    def finish(self, item: InboxItem, understood: Understood | None) -> None:
        """The turn, its replies and `inbox.done`, in one unit of work."""
        with self._store.unit_of_work() as uow:
            if self._turn(uow, item, understood):
                uow.commit()
            else:
                uow.rollback()

    def _turn(self, uow: UnitOfWork, item: InboxItem, understood: Understood | None) -> bool:
        entry = from_payload(item.channel, item.provider_key, item.payload)
        now = self._clock()
        if isinstance(entry, ProviderOptOut):
            participant_id = self._conversation.provider_opt_out(
                uow, channel=entry.channel, address=entry.address, at=entry.at
            )
            return self._done(uow, item, now, participant_id)
        if isinstance(entry, GroupInvitation):
            return self._invitation(uow, item, entry, now)
        inbound = entry
        outcome = self._conversation.handle(
            uow,
            channel=inbound.channel,
            address=inbound.address,
            text=turn_text(inbound, self._catalogue),
            at=inbound.at,
            start_flow=inbound.deep_link,
            language_hint=inbound.language_hint,
            media=inbound.media,
            understood=understood,
        )
        self._queue_replies(uow, inbound, outcome, now)
        return self._done(uow, item, now, None if outcome.erased else outcome.participant_id)

    def _invitation(
        self, uow: UnitOfWork, item: InboxItem, entry: GroupInvitation, now: datetime
    ) -> bool:
        """A coordinator's invitation: the engine's question, queued to the person's address."""
        outcome = self._conversation.invite(
            uow,
            channel=entry.channel,
            address=entry.address,
            invitation=Invitation(entry.group_id, entry.group, entry.date, entry.offers),
            at=entry.at,
        )
        if outcome is None:
            # Opted out, consent withdrawn, erased, or answering another of the engine's own
            # questions: nothing is sent (no personal data in the line).
            log.info("invitation to working group %d not sent", entry.group_id)
            return self._done(uow, item, now, None)
        for message in outcome.messages:
            row = outbox_message(
                message, entry.channel, outcome.participant_id, self._catalogue, now
            )
            uow.outbox.add(row, address=entry.address)
        return self._done(uow, item, now, outcome.participant_id)

    def _done(
        self, uow: UnitOfWork, item: InboxItem, now: datetime, participant_id: str | None
    ) -> bool:
        marked = uow.inbox.done(item.item_id, item.attempts, now, participant_id)
        if not marked:
            # Another worker claimed the item after our lease ran out; its turn counts.
            log.warning("inbox item %d: claim lost to another worker", item.item_id)
            return False
        return True

    def _queue_replies(
        self, uow: UnitOfWork, inbound: InboundMessage, outcome: TurnOutcome, now: datetime
    ) -> None:
        """Replies go to the address the message came from: nothing is decrypted again, and
        a person erased in this turn (no participant any more) still gets the confirmation."""
        participant_id = None if outcome.erased else outcome.participant_id
        rows = [
            outbox_message(message, inbound.channel, participant_id, self._catalogue, now)
            for message in outcome.messages
        ]
        uow.outbox.add(*rows, address=inbound.address)

    def _failure(self, item: InboxItem, error_type: str) -> None:
        with self._store.unit_of_work() as uow:
            dead = uow.inbox.failure(
                item.item_id,
                item.attempts,
                error_type,
                self._clock(),
                dead_after=self._max_attempts,
            )
            uow.commit()
        if dead:
            log.error("inbox item %d is dead after %d attempts", item.item_id, item.attempts)

    def _dead(self, item: InboxItem, error: str) -> None:
        with self._store.unit_of_work() as uow:
            uow.inbox.dead(item.item_id, error, self._clock())
            uow.commit()

    async def run(
        self,
        stop: asyncio.Event,
        poll_seconds: float = 0.25,
        on_progress: Callable[[], None] | None = None,
    ) -> None:
        """Until `stop` is set: handle what is claimable, else wait for `wake()` or the poll.
        Turns run in a thread, so a web server in the same loop keeps answering.
        `on_progress` runs after each batch (wakes an outbox worker in the same process)."""
        while not stop.is_set():
            try:
                claimed = await self.run_batch()
            except Exception as exc:  # the database went away: keep trying
                log.error("inbox claim failed: %s", type(exc).__name__)
                claimed = 0
                await _wait(stop, self._wake, poll_seconds * 4)
                continue
            if claimed == 0:
                await _wait(stop, self._wake, poll_seconds)
            elif on_progress is not None:
                on_progress()


async def _wait(stop: asyncio.Event, wake: asyncio.Event, timeout: float) -> None:
    waiters = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())}
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        wake.clear()
