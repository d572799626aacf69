"""The broadcast: one "you said, we did" update to 10,000 people (6,000 by SMS, 4,000 by
Telegram) through the real twilio and python-telegram-bot clients to the fake remote APIs, sent
by `heard worker` at the configured rates, with the worker killed (SIGKILL) halfway and started
again. Checked in the fakes: every person who agreed got it exactly once, in their language;
nobody who said STOP, said no to updates or has no text in their language got anything; each
channel kept to its configured rate: never above it, and not far below (at least 90%: one
worker sends by claims of a few seconds' worth, so the gaps between claims cost a few percent on a
busy 2-core machine; 0.92 to 1.00 was seen).

Telegram cannot be asked whether an earlier attempt arrived (docs/DESIGN.md, "Exactly once"):
a message Telegram accepted in the moment of the kill, before `sent` was committed, is sent
again after the lease. The test holds that to at most the messages then in flight, and reports
the number; SMS is reconciled (status callback or Twilio's message list) and never duplicated.
On PostgreSQL, the database for more than one worker.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from bot.channels.base import in_flight_for
from storage import models as m
from storage.sql import SqlStore
from tests.fakes.live_server import live_server
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi
from tests.support.updates import Contributor, seed_bulk
from tests.support.worker_process import heard_worker
from tests.web.harness import (
    ACCOUNT,
    AUTH_TOKEN,
    BOT_ID,
    BOT_TOKEN,
    database_url_of,
    heard_env,
    wait_until,
)

pytestmark = pytest.mark.slow

SMS_PEOPLE = 6_000
TELEGRAM_PEOPLE = 4_000
# Rates one worker keeps to with room to spare on a 2-core machine, quiet or busy (with both at
# 100 a second and the load average near 10 it managed about 65 per channel; at 40 and 30 it
# reached 0.95 to 0.99 of them, too close to the bar to be a fair test of the pacing), so the
# test takes about 4 minutes; the channels finish at about the same time.
SMS_RATE = 30.0  # segments a second; every text here is one segment
TELEGRAM_RATE = 20.0  # messages a second (Telegram's own limit is about 30)
OUTBOX_LEASE = "20"  # longer than a claim's pacing wait (2 s of sending) plus the send margin
TEXTS = {
    ("en", "standard"): "You said the buses were late. From May the 23 comes every 20 minutes.",
    ("en", "easy"): "You said the bus was late. Now it comes more often.",
    ("pl", "standard"): "Mowiliscie, ze autobusy sie spozniaja. Od maja 23 jezdzi co 20 minut.",
    ("pl", "easy"): "Mowiliscie, ze autobus sie spoznia. Teraz jezdzi czesciej.",
    ("cy", "standard"): "Dywedoch chi fod y bysiau'n hwyr. O fis Mai daw'r 23 bob 20 munud.",
    ("cy", "easy"): "Dywedoch chi fod y bws yn hwyr. Nawr mae'n dod yn amlach.",
}
KINDS = list(TEXTS)


def number(n: int) -> str:
    return f"+447700{n:06d}"


def chat_id(n: int) -> str:
    return str(1_000_000_000 + n)


def people() -> tuple[list[Contributor], dict[str, tuple[str, str]], set[str]]:
    """The contributors; who should get what (address -> language, register); who must not."""
    everyone: list[Contributor] = []
    owed: dict[str, tuple[str, str]] = {}
    never: set[str] = set()
    for n in range(max(SMS_PEOPLE, TELEGRAM_PEOPLE)):
        language, register = KINDS[n % len(KINDS)]
        for channel, address, count in (
            ("sms", number(n), SMS_PEOPLE), ("telegram", chat_id(n), TELEGRAM_PEOPLE)
        ):
            if n < count:
                everyone.append(Contributor(address, channel, language, register))
                owed[address] = (language, register)
    first = max(SMS_PEOPLE, TELEGRAM_PEOPLE)
    for n in range(first, first + 300):
        channel, address = ("sms", number(n)) if n % 2 else ("telegram", chat_id(n))
        if n < first + 150:
            everyone.append(Contributor(address, channel, opted_out=True))  # said STOP
        elif n < first + 250:
            everyone.append(Contributor(address, channel, updates=False))  # said no
        else:
            everyone.append(Contributor(address, channel, language="so"))  # no Somali text
        never.add(address)
    return everyone, owed, never


def open_update_rows(store: SqlStore) -> int:
    with store.engine.connect() as connection:
        return int(
            connection.scalar(
                select(func.count())
                .select_from(m.OutboxRow)
                .where(m.OutboxRow.status.in_(["pending", "sending"]))
            )
            or 0
        )


class Sampler:
    """How many each fake had taken, sampled over time (for the achieved rates)."""

    def __init__(self, counts: Callable[[], tuple[int, int]]) -> None:
        self.counts = counts
        self.samples: list[tuple[float, int, int]] = []

    def sample(self) -> tuple[int, int]:
        sms, telegram = self.counts()
        self.samples.append((time.monotonic(), sms, telegram))
        return sms, telegram

    def busy(self, channel: int, start: float, end: float) -> tuple[int, float]:
        """(messages, seconds) from the last sample before the channel's first new message in
        [start, end] to the first sample showing its last one: the span it was sending."""
        window = [(t, s[channel - 1]) for t, *s in self.samples if start <= t <= end]
        changed = [i for i in range(1, len(window)) if window[i][1] > window[i - 1][1]]
        if not changed:
            return 0, 0.0
        first, last = changed[0] - 1, changed[-1]
        return window[last][1] - window[first][1], window[last][0] - window[first][0]

    def rate(self, channel: int, killed: float, restarted: float) -> float:
        """Messages a second while the channel was sending, the first worker's span and the
        second's added (the restart itself, while no worker runs, is not sending time)."""
        before = self.busy(channel, 0.0, killed)
        after = self.busy(channel, restarted, float("inf"))
        return (before[0] + after[0]) / (before[1] + after[1])


def test_an_update_to_ten_thousand_people_survives_a_kill_at_the_configured_rates(
    postgres_store: SqlStore, tmp_path: Path
) -> None:
    store = postgres_store
    started = time.monotonic()
    everyone, owed, never = people()
    theme_id = seed_bulk(store, "Transport", everyone)
    seeded = time.monotonic() - started
    twilio, telegram = FakeTwilioApi(ACCOUNT, AUTH_TOKEN), FakeTelegramApi(BOT_TOKEN, bot_id=BOT_ID)
    with live_server(twilio.app) as twilio_url, live_server(telegram.app) as telegram_url:
        env = heard_env(
            tmp_path, database_url_of(store), twilio_url, telegram_url,
            TWILIO_MESSAGES_PER_SECOND=str(SMS_RATE),
            TELEGRAM_MESSAGES_PER_SECOND=str(TELEGRAM_RATE),
            HEARD_OUTBOX_LEASE_SECONDS=OUTBOX_LEASE,
            HEARD_LOG_LEVEL="INFO",
        )
        ours = ("HEARD_", "TWILIO_", "TELEGRAM_", "DATABASE_")
        process_env = {k: v for k, v in os.environ.items() if not k.startswith(ours)} | env
        with store.unit_of_work() as uow:
            update = uow.updates.create(theme_id, "Buses", "coordinator@example.org",
                                        datetime.now(UTC))
            for (language, register), text in TEXTS.items():
                uow.updates.set_text(update.update_id, language, register, text,
                                     datetime.now(UTC))
            uow.updates.request_send(update.update_id, datetime.now(UTC))
            uow.commit()
        sampler = Sampler(lambda: (len(twilio.created), len(telegram.sent)))
        log = tmp_path / "worker.log"
        half = (SMS_PEOPLE + TELEGRAM_PEOPLE) // 2
        with heard_worker(process_env, log, grace=15.0) as first:
            wait_until(lambda: sum(sampler.sample()) >= half, 240, "half the messages")
            first.send_signal(signal.SIGKILL)
            first.wait()
        at_kill = sampler.sample()
        killed = time.monotonic()
        assert sum(at_kill) < SMS_PEOPLE + TELEGRAM_PEOPLE, "the kill came too late"
        restarted = time.monotonic()
        with heard_worker(process_env, log, grace=15.0):

            def finished() -> bool:
                sampler.sample()
                with store.reading() as uow:
                    status = uow.updates.get(update.update_id)
                return (
                    status is not None and status.status == "sent"
                    and open_update_rows(store) == 0
                )

            wait_until(finished, 300, "the update to be sent")
            for _ in range(3):  # a last look at the fakes
                time.sleep(0.05)
                sampler.sample()

    # Exactly once per person by SMS: by recipient, and by our id in the StatusCallback URL.
    by_number = Counter(c["to"] for c in twilio.created)
    by_outbox_id = Counter(
        parse_qs(urlsplit(url).query)["m"][0] for url in twilio.status_callbacks.values()
    )
    by_chat = Counter(message.chat_id for message in telegram.sent)
    sms_owed = {a for a in owed if a.startswith("+")}
    telegram_owed = set(owed) - sms_owed
    assert set(by_number) == sms_owed and max(by_number.values()) == 1
    assert max(by_outbox_id.values()) == 1
    assert set(by_chat) == telegram_owed
    telegram_duplicates = sum(n - 1 for n in by_chat.values())
    assert telegram_duplicates <= in_flight_for(TELEGRAM_RATE)
    # Nobody who said STOP, said no, or has no text in their language got anything.
    assert not never & (set(by_number) | set(by_chat))
    # Each in their own language and register.
    for created in twilio.created:
        assert created["body"] == TEXTS[owed[created["to"]]]
    for message in telegram.sent:
        assert message.text == TEXTS[owed[message.chat_id]]
    # Over the time each channel was sending: at most its configured rate (the providers'
    # limits), and at least 90% of it (the module's docstring says why not more).
    sms_rate = sampler.rate(1, killed, restarted)
    telegram_rate = sampler.rate(2, killed, restarted)
    with store.reading() as uow:
        delivery = uow.updates.delivery(update.update_id)
    held_back = sum(d.held_back for d in delivery)
    sent = sum(d.sent for d in delivery)
    print(
        f"\nbroadcast: seeded {len(everyone)} people in {seeded:.1f} s; killed at "
        f"{at_kill[0]} SMS + {at_kill[1]} Telegram; SMS {sms_rate:.1f}/s of {SMS_RATE:.0f}, "
        f"Telegram {telegram_rate:.1f}/s of {TELEGRAM_RATE:.0f}; Telegram duplicates "
        f"{telegram_duplicates}; total {time.monotonic() - started:.1f} s"
    )
    assert held_back == 50 and sent == SMS_PEOPLE + TELEGRAM_PEOPLE
    assert 0.9 * SMS_RATE <= sms_rate <= 1.05 * SMS_RATE
    assert 0.9 * TELEGRAM_RATE <= telegram_rate <= 1.05 * TELEGRAM_RATE
