"""The outbox worker: sends queued messages, paced, retried, never twice.

For each channel it keeps up to `max_in_flight` messages moving. A message is claimed
(`sending`, attempts + 1, a lease) and that claim is COMMITTED before the provider is called;
the outcome is committed after:

* `Sent` -> `outbox_sent` with the provider's id (the stored address is wiped);
* `RetryLater` -> `outbox_retry` after `RetryPolicy.next_delay(attempts, retry_after)`, or
  `outbox_failed` once the policy gives up (`OUTBOX_MAX_ATTEMPTS`);
* `Failed` -> `outbox_failed`;
* `OptedOut` (Twilio 21610, Telegram blocked) -> `outbox_failed`, and in the same transaction a
  `ProviderOptOut` item in the inbox (keyed on the message id, so a repeat is refused): the inbox
  worker hands it to the engine, which handles it like STOP without a reply. The outbox never
  writes a session or a consent itself.

A claim with attempts > 1 may follow an attempt whose outcome was never recorded (the worker
died mid-send, or the request timed out after the provider took it). On channels that can be
asked (SMS: a status callback already recorded the provider id, or Twilio's message list shows
it), such a message is marked sent instead of being sent again. Telegram has no way to ask:
a worker killed between Telegram accepting a message and the commit of `sent` re-sends that
message, so each such crash can duplicate at most the messages then in flight (one per chat).

Pacing (`RateLimiter`): Telegram about 30/s overall and 1/s per chat; SMS costed by segments
per second per sender, with a gap between one person's messages. A claim never returns a
second message for someone with one unsent, so each person's messages go out in order.
Addresses are held in memory only while sending and are never logged.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.channels.base import ChannelAdapter, Failed, OptedOut, RetryLater, SendOutcome, Sent
from bot.clock import Clock, utcnow
from bot.inbox.payload import ProviderOptOut, to_payload
from bot.outbox.ratelimit import RateLimiter
from bot.outbox.retry import RetryPolicy
from storage.records import OutboxMessage
from storage.unit_of_work import Store

log = logging.getLogger("heard.outbox")

@dataclass(frozen=True)
class Claimed:
    message: OutboxMessage
    address: str | None



class OutboxWorker:
    def __init__(
        self,
        store: Store,
        channels: Mapping[str, ChannelAdapter],
        limiter: RateLimiter,
        policy: RetryPolicy,
        *,
        clock: Clock = utcnow,
        lease_seconds: float = 60.0,
        poll_seconds: float = 0.25,
        on_inbox_added: Callable[[], None] | None = None,
    ) -> None:
        """`lease_seconds` must exceed a send's timeout plus its wait for pacing: a `sending`
        message whose lease ran out is taken to have died with its worker. `on_inbox_added`
        runs in the event loop after a provider opt-out was queued (wakes an inbox worker)."""
        self._on_inbox_added = on_inbox_added
        self._store = store
        self._channels = dict(channels)
        self._limiter = limiter
        self._policy = policy
        self._clock = clock
        self._lease = lease_seconds
        self._poll = poll_seconds
        self._in_flight: dict[str, set[asyncio.Task[None]]] = {c: set() for c in self._channels}
        self._holding: set[str] = set()  # message ids this worker is sending
        # A send must start with this much of its lease left, so that it ends (the sender's
        # timeout) before anyone may take the message for dead and claim it again.
        self._margin = timedelta(seconds=min(lease_seconds / 2, 15.0))
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    @property
    def in_flight(self) -> int:
        return sum(len(tasks) for tasks in self._in_flight.values())

    # --- the loop
    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    started = await self.fill()
                except Exception as exc:  # the database went away: keep trying
                    log.error("outbox claim failed: %s", type(exc).__name__)
                    started = 0
                if started == 0:
                    await self._idle(stop)
        finally:
            await self.settle()

    async def fill(self) -> int:
        """Claims what each channel has room for and starts sending it; returns how many."""
        started = 0
        for name, channel in self._channels.items():
            room = channel.max_in_flight - len(self._in_flight[name])
            if room <= 0:
                continue
            for claimed in await asyncio.to_thread(self._claim, name, room):
                if claimed.message.message_id in self._holding:
                    continue  # its lease ran out while it waited here; that send gives it up
                self._holding.add(claimed.message.message_id)
                task = asyncio.create_task(self._send(channel, claimed))
                self._in_flight[name].add(task)
                task.add_done_callback(self._in_flight[name].discard)
                started += 1
        return started

    async def settle(self) -> None:
        """Waits for the sends under way (each ends by recording its outcome)."""
        tasks = [t for tasks in self._in_flight.values() for t in tasks]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def drain(self, timeout: float) -> None:
        """Sends until nothing is due and nothing is in flight (tests and benchmarks)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            started = await self.fill()
            if started == 0 and self.in_flight == 0:
                return
            await self._idle(None)
        raise TimeoutError("the outbox did not drain in time")

    async def _idle(self, stop: asyncio.Event | None) -> None:
        waiters: set[asyncio.Future[object]] = {asyncio.ensure_future(self._wake.wait())}
        if stop is not None:
            waiters.add(asyncio.ensure_future(stop.wait()))
        tasks = {t for group in self._in_flight.values() for t in group}
        try:
            await asyncio.wait(
                waiters | tasks, timeout=self._poll, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for waiter in waiters:
                waiter.cancel()
            self._wake.clear()

    # --- one message
    def _claim(self, channel: str, limit: int) -> list[Claimed]:
        with self._store.unit_of_work() as uow:
            claimed = [
                Claimed(message, address)
                for message, address in uow.outbox.claim_addressed(
                    channel, limit, self._clock(), self._lease
                )
            ]
            uow.commit()  # `sending` is on record before any provider is called
        return claimed

    async def _send(self, channel: ChannelAdapter, claimed: Claimed) -> None:
        try:
            await self._send_one(channel, claimed)
        finally:
            self._holding.discard(claimed.message.message_id)

    async def _send_one(self, channel: ChannelAdapter, claimed: Claimed) -> None:
        message, address = claimed.message, claimed.address
        try:
            if address is None:
                await self._record(message, Failed("no recipient address"), None)
                return
            if message.attempts > self._policy.max_attempts:
                await self._record(
                    message, Failed("gave up: attempts used by earlier claims"), address
                )
                return
            maybe_sent = message.attempts > 1 and channel.reconciles
            if maybe_sent and await self._reconciled(channel, message, address):
                return
            await self._paced(channel, message, address)
            lease_end = message.next_attempt_at
            if lease_end is not None and self._clock() >= lease_end - self._margin:
                # Waiting for pacing used up the lease: another claim may own the message now,
                # so neither send nor record; it is claimed again when the lease runs out.
                log.warning("outbox %s: lease ran short before sending", message.message_id)
                return
            try:
                outcome = await channel.deliver(message, address)
            except Exception as exc:  # a sender bug: the request may have gone out
                outcome = RetryLater(f"sender error: {type(exc).__name__}")
            await self._record(message, outcome, address)
        except Exception as exc:
            # The outcome could not be recorded; the lease brings the message back.
            log.error("outbox %s: %s", message.message_id, type(exc).__name__)

    async def _reconciled(
        self, channel: ChannelAdapter, message: OutboxMessage, address: str
    ) -> bool:
        """True when an earlier attempt is known to have been accepted (now marked sent), or
        when that cannot be told (retried later, never sent blind)."""
        if message.provider_message_id is not None:
            # A status callback for an earlier attempt got here first.
            await self._record(message, Sent(message.provider_message_id), address)
            return True
        try:
            found = await channel.reconcile(message, address, self._known)
        except Exception as exc:
            failed = RetryLater(f"reconcile failed: {type(exc).__name__}")
            await self._record(message, failed, address)
            return True
        if found is None:
            return False
        log.info("outbox %s: an earlier attempt was accepted; not sent again", message.message_id)
        await self._record(message, Sent(found), address)
        return True

    def _known(self, provider_message_id: str) -> bool:
        with self._store.unit_of_work() as uow:
            return uow.outbox.by_provider_id(provider_message_id) is not None

    async def _paced(self, channel: ChannelAdapter, message: OutboxMessage, address: str) -> None:
        cost = max(1, message.segments) if channel.capabilities.cost_by_segments else 1
        while True:
            wait = self._limiter.delay_for(channel.name, address, cost)
            if wait <= 0:
                return
            await asyncio.sleep(wait)

    async def _record(
        self, message: OutboxMessage, outcome: SendOutcome, address: str | None
    ) -> None:
        await asyncio.to_thread(self._record_now, message, outcome, address)
        if isinstance(outcome, OptedOut) and self._on_inbox_added is not None:
            self._on_inbox_added()

    def _record_now(
        self, message: OutboxMessage, outcome: SendOutcome, address: str | None
    ) -> None:
        now = self._clock()
        with self._store.unit_of_work() as uow:
            match outcome:
                case Sent(provider_message_id=sid):
                    uow.outbox.sent(message.message_id, sid, now)
                case RetryLater(reason=reason, retry_after=retry_after):
                    delay = self._policy.next_delay(message.attempts, retry_after)
                    if delay is None:
                        uow.outbox.failed(message.message_id, f"gave up: {reason}", now)
                    else:
                        when = now + timedelta(seconds=delay)
                        uow.outbox.retry(message.message_id, reason, when)
                case Failed(reason=reason):
                    uow.outbox.failed(message.message_id, reason, now)
                case OptedOut(code=code):
                    uow.outbox.failed(message.message_id, f"opted out ({code})", now)
                    # A reply after erasure has no participant: nobody is left to opt out.
                    if message.participant_id is not None and address is not None:
                        event = ProviderOptOut(
                            message.channel, address, message.message_id, code, now
                        )
                        uow.inbox.add(
                            event.channel, event.provider_key, to_payload(event), now,
                            sender=address,
                        )
            uow.commit()
        if not isinstance(outcome, Sent):
            log.info("outbox %s: %s", message.message_id, type(outcome).__name__)
