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
from typing import cast

from sqlalchemy.exc import IntegrityError

from bot.catalogue import Catalogue
from bot.channels.registry import outbox_message
from bot.clock import Clock, utcnow
from bot.terms import Register
from bot.updates.compose import as_message
from storage.records import UpdateAudience, UpdateRecord
from storage.repositories.updates import recipient_message_id
from storage.unit_of_work import Store, UnitOfWork

log = logging.getLogger("heard.updates")

BATCH = 500


def _queue(
    uow: UnitOfWork, update: UpdateRecord, person: UpdateAudience, catalogue: Catalogue,
    clock: Clock, *, release: bool,
) -> bool:
    text = update.texts.get((person.language, person.register))
    if text is None or person.address is None:
        if not release:
            uow.updates.add_recipient(update.update_id, person, None, clock())
        return False
    at = clock()
    message_id = recipient_message_id(update.update_id, person.participant_id)
    register = cast(Register, person.register if person.register == "easy" else "standard")
    if release:
        if not uow.updates.release(update.update_id, person.participant_id, message_id):
            return False
    else:
        uow.updates.add_recipient(update.update_id, person, message_id, at)
    created = as_message(text, person.language, register, catalogue, message_id, at)
    uow.outbox.add(
        outbox_message(created, person.channel, person.participant_id, catalogue, at),
        address=person.address,
    )
    return True


def fan_out_batch(
    store: Store, catalogue: Catalogue, update_id: int, *, clock: Clock = utcnow,
    batch: int = BATCH,
) -> int:
    """One batch of recipients for a `sending` update, committed; returns how many people it
    handled (0: the update is finished, or not sending)."""
    with store.unit_of_work() as uow:
        update = uow.updates.get(update_id)
        if update is None or update.status != "sending":
            return 0
        people = uow.updates.audience(update_id, update.theme_id, batch)
        for person in people:
            _queue(uow, update, person, catalogue, clock, release=False)
        released = 0
        if not people:
            for person in uow.updates.held_back(update_id, update.theme_id):
                released += _queue(uow, update, person, catalogue, clock, release=True)
            uow.updates.finish(update_id, clock())
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
