"""Kill `heard worker` with SIGKILL in the middle of a burst, start it again, and check that
every acknowledged message was handled exactly once and every reply reached the provider exactly
once (counted by our outbox id in each StatusCallback URL). On SQLite and PostgreSQL.

The web app runs here (workers off); the worker is a separate process, as in production.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import create_app
from bot.channels.registry import outbox_message
from bot.config import load_settings
from storage import models as m
from storage.sql import SqlStore
from tests.fakes.live_server import live_server
from tests.fakes.twilio_api import FakeTwilioApi, inbound_form
from tests.support.stores import scratch_store
from tests.support.worker_process import heard_worker
from tests.web.harness import (
    ACCOUNT,
    AUTH_TOKEN,
    HEARD_NUMBER,
    Brains,
    database_url_of,
    heard_env,
    serve,
    stored_outbox,
    twilio_signature,
    wait_until,
)

pytestmark = pytest.mark.slow

NUMBERS = [f"+4477009007{n:02d}" for n in range(20)]
# Each person: hello, English, easy read (three messages, 60 in all).
SCRIPT = ("Hello", "1", "2")
INBOX_LEASE = "2"
OUTBOX_LEASE = "8"  # longer than a person's pacing gap (2 s) plus the send margin


def expected_replies(brains: Brains) -> list[str]:
    """What one person's script gets without any crash: the same turns on a scratch store."""
    conversation, catalogue = brains.runtime.conversation, brains.runtime.catalogue
    texts: list[str] = []
    with scratch_store() as store:
        for text in SCRIPT:
            with store.unit_of_work() as uow:
                at = datetime.now(UTC)
                outcome = conversation.handle(
                    uow, channel="sms", address="+447700900799", text=text, at=at
                )
                texts += [
                    outbox_message(msg, "sms", None, catalogue, at).text
                    for msg in outcome.messages
                ]
                uow.commit()
    return texts


def post_the_rest(post: Callable[[str, str], None]) -> None:
    """The rest of the burst, round by round (each person's messages in order), spread over
    a couple of seconds as a real burst would be."""
    for round_, text in enumerate(SCRIPT):
        for number in NUMBERS[1 if round_ == 0 else 0 :]:
            post(number, text)
            time.sleep(0.02)


def count(store: SqlStore, table: type[m.InboxRow] | type[m.OutboxRow], *statuses: str) -> int:
    column = table.status
    with store.engine.connect() as connection:
        return int(
            connection.scalar(select(func.count()).select_from(table).where(column.in_(statuses)))
            or 0
        )


def test_a_killed_worker_loses_nothing_and_duplicates_nothing(
    brains: Brains, sql_store: SqlStore, tmp_path: Path
) -> None:
    started = time.monotonic()
    reference = expected_replies(brains)
    api = FakeTwilioApi(ACCOUNT, AUTH_TOKEN)
    with live_server(api.app) as twilio_url:
        env = heard_env(
            tmp_path,
            database_url_of(sql_store),
            twilio_url,
            HEARD_INBOX_LEASE_SECONDS=INBOX_LEASE,
            HEARD_OUTBOX_LEASE_SECONDS=OUTBOX_LEASE,
            TWILIO_MESSAGES_PER_SECOND="200",
            HEARD_LOG_LEVEL="INFO",
        )
        settings = load_settings(env)
        app = create_app(settings, workers=False, runtime=brains.runtime_for(settings))
        ours = ("HEARD_", "TWILIO_", "TELEGRAM_", "DATABASE_")
        process_env = {k: v for k, v in os.environ.items() if not k.startswith(ours)} | env
        log = tmp_path / "worker.log"
        with serve(app) as url, httpx.Client(timeout=30) as http:

            def post(number: str, text: str) -> None:
                form = inbound_form(ACCOUNT, number, text, to=HEARD_NUMBER)
                signature = twilio_signature("/webhooks/twilio", form)
                response = http.post(
                    f"{url}/webhooks/twilio", data=form, headers={"X-Twilio-Signature": signature}
                )
                assert response.status_code == 200

            with heard_worker(process_env, log) as first:
                post(NUMBERS[0], SCRIPT[0])  # tells us when the worker is up
                wait_until(lambda: count(sql_store, m.InboxRow, "done") == 1, 40, "the worker")
                burst = threading.Thread(target=post_the_rest, args=(post,))
                burst.start()
                wait_until(
                    lambda: count(sql_store, m.InboxRow, "done") >= 15, 20, "some progress"
                )
                first.send_signal(signal.SIGKILL)
                first.wait()
                done_at_kill = count(sql_store, m.InboxRow, "done")
                burst.join()
            assert done_at_kill < len(NUMBERS) * len(SCRIPT), "the kill came too late"
            assert count(sql_store, m.InboxRow, "done") == done_at_kill  # nobody else works

            with heard_worker(process_env, log):
                wait_until(
                    lambda: count(sql_store, m.InboxRow, "done") == len(NUMBERS) * len(SCRIPT)
                    and count(sql_store, m.OutboxRow, "pending", "sending") == 0,
                    40,
                    "the queues to drain",
                )

    # Every acknowledged inbound: one row, handled once.
    assert count(sql_store, m.InboxRow, "done") == len(NUMBERS) * len(SCRIPT)
    assert count(sql_store, m.InboxRow, "pending", "processing", "failed") == 0
    # Every reply: sent, and created at the provider exactly once (by our id in the callback).
    outbox = stored_outbox(sql_store)
    assert outbox and all(message.status == "sent" for message in outbox)
    delivered = Counter(
        parse_qs(urlsplit(callback).query)["m"][0] for callback in api.status_callbacks.values()
    )
    assert set(delivered) == {message.message_id for message in outbox}
    assert max(delivered.values()) == 1
    # What each person got is what they would have got without the crash.
    for number in NUMBERS:
        assert [c["body"] for c in api.created if c["to"] == number] == reference
    assert time.monotonic() - started < 90
