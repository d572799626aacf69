"""Sending an update: the fan-out from an update marked `sending` to recipient rows and outbox
rows, in batches, each batch one transaction (storage.repositories.updates for the rules).

Per person: their language and register (the participant's, else their view's language); the
channel of their latest view on the theme and their address on it. No text in that language and
register, or no address: a `held_back` recipient row and nothing queued (never another
language). Otherwise the recipient row, then the outbox row (id `update-<update>-<person>`), in
the same transaction; the outbox worker sends at the channel's configured rates. A crash
between batches loses nothing (the next round finds who has no recipient row yet); a batch that
races another worker's is refused by the unique (update, person) row and rolled back whole.
A `sending` update with nobody left becomes `sent`; sending it again (after adding a
translation) queues the people held back for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import cast

from sqlalchemy.exc import IntegrityError

from bot.catalogue import Catalogue
from bot.channels.registry import outbox_message
from bot.clock import Clock, utcnow
from bot.terms import Register
from bot.updates.compose import as_message
from storage.records import OutboxMessage, UpdateAudience, UpdateRecord
from storage.repositories.updates import recipient_message_id
from storage.unit_of_work import Store

log = logging.getLogger("heard.updates")

BATCH = 500


def _rendered(
    update: UpdateRecord, person: UpdateAudience, catalogue: Catalogue, at: datetime
) -> tuple[OutboxMessage, str] | None:
    """The person's copy of the update as an outbox row for their channel, with their address;
    None when they must be held back (no text in their language and register, no address)."""
    text = update.texts.get((person.language, person.register))
    if text is None or person.address is None:
        return None
    message_id = recipient_message_id(update.update_id, person.participant_id)
    register = cast(Register, person.register if person.register == "easy" else "standard")
    created = as_message(text, person.language, register, catalogue, message_id, at)
    message = outbox_message(
        created, person.channel, person.participant_id, catalogue, at, bulk=True
    )
    return message, person.address


def fan_out_batch(
    store: Store, catalogue: Catalogue, update_id: int, *, clock: Clock = utcnow,
    batch: int = BATCH,
) -> int:
    """One batch of recipients for a `sending` update, committed; returns how many people it
    handled (0: the update is finished, or not sending). The recipient rows are inserted
    before the outbox rows, in the same transaction."""
    with store.unit_of_work() as uow:
        update = uow.updates.get(update_id)
        if update is None or update.status != "sending":
            return 0
        at = clock()
        people = uow.updates.audience(update_id, update.theme_id, batch)
        queued: list[tuple[OutboxMessage, str]] = []
        recipients: list[tuple[UpdateAudience, str | None]] = []
        for person in people:
            row = _rendered(update, person, catalogue, at)
            recipients.append((person, None if row is None else row[0].message_id))
            if row is not None:
                queued.append(row)
        released = 0
        if people:
            uow.updates.add_recipients(update_id, recipients, at)
        else:
            # Everyone has a row: those held back whose text now exists are queued, once.
            for person in uow.updates.held_back(update_id, update.theme_id):
                row = _rendered(update, person, catalogue, at)
                if row is not None and uow.updates.release(
                    update_id, person.participant_id, row[0].message_id
                ):
                    queued.append(row)
                    released += 1
            uow.updates.finish(update_id, at)
        if queued:
            uow.outbox.add_many(queued)
        uow.commit()
    return len(people) + released


def send_now(
    store: Store, catalogue: Catalogue, update_id: int, *, clock: Clock = utcnow,
    batch: int = BATCH, on_batch: Callable[[], None] | None = None,
) -> int:
    """Fans the update out to the end (tests and `heard` commands; the workers do it in the
    background with `UpdateSender`). Returns how many people were handled."""
    total = 0
    while True:
        try:
            done = fan_out_batch(store, catalogue, update_id, clock=clock, batch=batch)
        except IntegrityError:
            continue  # another worker took the same people first; look again
        if on_batch is not None:
            on_batch()
        if done == 0:
            return total
        total += done


class UpdateSender:
    """The workers' task: fans out every `sending` update, batch by batch, waking the outbox
    after each batch."""

    def __init__(
        self, store: Store, catalogue: Catalogue, *, on_queued: Callable[[], None] | None = None,
        poll_seconds: float = 1.0, clock: Clock = utcnow,
    ) -> None:
        self._store = store
        self._catalogue = catalogue
        self._on_queued = on_queued
        self._poll = poll_seconds
        self._clock = clock

    def round(self) -> int:
        with self._store.reading() as uow:
            sending = uow.updates.sending()
        handled = 0
        for update_id in sending:
            try:
                handled += fan_out_batch(
                    self._store, self._catalogue, update_id, clock=self._clock
                )
            except IntegrityError:
                handled += 1  # raced another worker: look again at once
        return handled

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                handled = await asyncio.to_thread(self.round)
            except Exception as exc:  # the database went away: keep trying
                log.error("update fan-out failed: %s", type(exc).__name__)
                handled = 0
            if handled and self._on_queued is not None:
                self._on_queued()
            if not handled:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self._poll)
