"""The outbox worker sending SMS through the real twilio client to the fake Twilio API: provider
errors, retries, opt-out mirroring, reconciliation after a crash, status callbacks. Every case
checks that no message reached the provider twice. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.channels.twilio_sms.send import OutboxTwilioSender
from storage.models import MessageLogRow
from storage.records import OutboxMessage
from storage.sql import SqlStore
from tests.fakes import twilio_api as fake
from tests.fakes.twilio_api import Reply
from tests.web.harness import (
    ACCOUNT,
    AUTH_TOKEN,
    HEARD_NUMBER,
    PUBLIC_URL,
    Brains,
    Pipeline,
    pipeline,
    twilio_signature,
)

PERSON = "+447700900501"
GREETING = "Hello, I would like to have my say"


@pytest.fixture
def heard(brains: Brains, sql_store: SqlStore, tmp_path: Path) -> Iterator[Pipeline]:
    with pipeline(brains, sql_store, tmp_path, telegram=False) as running:
        yield running


def created_bodies(heard: Pipeline) -> Counter[str]:
    assert heard.twilio is not None
    return Counter(m["body"] for m in heard.twilio.created if m["to"] == PERSON)


def queue_welcome(heard: Pipeline) -> list[OutboxMessage]:
    """A new person says hello in a language Heard recognises: the opening's replies (who we
    are, and the consent question) wait in the outbox."""
    heard.post_sms(PERSON, GREETING)
    heard.process_inbox()
    queued = heard.outbox()
    assert len(queued) >= 2 and all(m.status == "pending" for m in queued)
    return queued


@pytest.mark.parametrize(
    ("script", "first_attempts", "min_seconds"),
    [
        pytest.param([fake.too_many_requests("1")], 2, 1.0, id="429-retry-after"),
        pytest.param([fake.server_error()], 2, 0.0, id="500-then-success"),
        pytest.param([fake.server_error(), fake.server_error()], 3, 0.0, id="500-twice"),
        pytest.param([fake.slow(1.5)], 2, 0.0, id="timeout-accepted-late"),
    ],
)
def test_passing_failures_are_retried_and_each_message_arrives_once(
    heard: Pipeline, script: list[Reply], first_attempts: int, min_seconds: float
) -> None:
    queued = queue_welcome(heard)
    assert heard.twilio is not None
    heard.twilio.program(*script)
    started = time.monotonic()
    heard.send_outbox()
    elapsed = time.monotonic() - started
    sent = heard.outbox()
    assert all(m.status == "sent" for m in sent)
    assert created_bodies(heard) == Counter(m.text for m in queued)  # each exactly once
    assert sent[0].attempts == first_attempts
    assert all(m.attempts == 1 for m in sent[1:])
    assert elapsed >= min_seconds  # the provider's Retry-After is never cut short
    # Every id Twilio gave is recorded once.
    assert len({m.provider_message_id for m in sent}) == len(sent)


def test_a_retry_asks_twilio_first_so_a_timed_out_send_is_not_repeated(heard: Pipeline) -> None:
    queue_welcome(heard)
    assert heard.twilio is not None
    heard.twilio.program(fake.slow(1.5))  # the client gives up; Twilio still sends it
    heard.send_outbox()
    assert heard.twilio.list_requests, "the retry looked for the earlier attempt"
    assert heard.twilio.list_requests[0]["To"] == PERSON
    assert "DateSent>" in heard.twilio.list_requests[0]
    first = heard.outbox()[0]
    assert first.provider_message_id == heard.twilio.created[0]["sid"]


def test_21610_marks_the_person_opted_out_once_and_sends_nothing(heard: Pipeline) -> None:
    queued = queue_welcome(heard)
    assert heard.twilio is not None
    heard.twilio.program(*[fake.unsubscribed_recipient() for _ in queued])
    heard.send_outbox()
    heard.process_inbox()  # Twilio's word reaches the conversation through the inbox
    stored = heard.outbox()
    assert all(m.status == "failed" and "21610" in (m.last_error or "") for m in stored)
    assert all(m.attempts == 1 for m in stored)  # never retried
    assert created_bodies(heard) == Counter()
    with heard.store.unit_of_work() as uow:
        person = uow.people.find("sms", PERSON)
        assert person is not None and person.opted_out
        assert uow.consent.latest(person.participant_id)["messages"] is False
        history = [e for e in uow.consent.history(person.participant_id)]
        assert [e.purpose for e in history].count("messages") == 1
    # The engine now keeps quiet too, until START.
    heard.post_sms(PERSON, "Hello?")
    heard.process_inbox()
    assert len(heard.outbox()) == len(stored)


def test_a_refused_message_fails_without_retrying(heard: Pipeline) -> None:
    queue_welcome(heard)
    assert heard.twilio is not None
    heard.twilio.program(fake.invalid_to_number())
    heard.send_outbox()
    first = heard.outbox()[0]
    assert first.status == "failed" and first.attempts == 1
    assert "+447700900999" not in (first.last_error or "")  # Twilio's text quotes numbers


def test_giving_up_after_the_configured_attempts(heard: Pipeline) -> None:
    queue_welcome(heard)
    assert heard.twilio is not None
    heard.twilio.program(*[fake.server_error() for _ in range(heard.retry.max_attempts)])
    heard.send_outbox()
    first = heard.outbox()[0]
    assert first.status == "failed" and first.attempts == heard.retry.max_attempts
    assert first.text not in created_bodies(heard)


def _claim_and_die(heard: Pipeline, lease: float) -> OutboxMessage:
    """What a worker killed mid-send leaves: the first message `sending`, its lease running."""
    with heard.store.unit_of_work() as uow:
        [claimed] = uow.outbox.claim("sms", 1, datetime.now(UTC), lease)
        uow.commit()
    return claimed


@pytest.mark.parametrize("reached_twilio", [True, False], ids=["accepted", "never-sent"])
def test_a_send_cut_short_by_a_crash_is_reconciled_not_repeated(
    heard: Pipeline, reached_twilio: bool
) -> None:
    queued = queue_welcome(heard)
    claimed = _claim_and_die(heard, lease=0.2)
    if reached_twilio:
        sender = OutboxTwilioSender(
            ACCOUNT, AUTH_TOKEN, public_url=PUBLIC_URL, from_number=HEARD_NUMBER,
            api_base_url=heard.runtime.settings.twilio.api_base_url  # type: ignore[union-attr]
        )
        asyncio.run(sender.send(PERSON, claimed.text, (), claimed.message_id))
        sender.close()
    time.sleep(0.3)
    heard.send_outbox(lease_seconds=30)
    assert created_bodies(heard) == Counter(m.text for m in queued)
    assert all(m.status == "sent" for m in heard.outbox())


def test_two_identical_messages_are_both_sent_after_a_crash(heard: Pipeline) -> None:
    with heard.store.unit_of_work() as uow:
        person = uow.people.for_address("sms", PERSON, datetime.now(UTC))
        for n in (1, 2):
            uow.outbox.add(
                OutboxMessage(
                    f"same-{n}", person.participant_id, "sms", "Sorry, please answer 1 or 2.",
                    datetime.now(UTC) - timedelta(seconds=5),
                ),
                address=PERSON,
            )
        uow.commit()
    heard.send_outbox()  # sends both, in order
    with heard.store.unit_of_work() as uow:
        uow.outbox.add(
            OutboxMessage(
                "same-3", person.participant_id, "sms", "Sorry, please answer 1 or 2.",
                datetime.now(UTC),
            ),
            address=PERSON,
        )
        uow.commit()
    _claim_and_die(heard, lease=0.2)  # died before reaching Twilio
    time.sleep(0.3)
    heard.send_outbox()
    assert created_bodies(heard) == Counter({"Sorry, please answer 1 or 2.": 3})


def test_status_callbacks_find_the_message_by_our_id(heard: Pipeline) -> None:
    queue_welcome(heard)
    heard.send_outbox()
    assert heard.twilio is not None
    message = heard.outbox()[0]
    callback = heard.twilio.status_callbacks[message.provider_message_id or ""]
    assert callback == f"{PUBLIC_URL}/webhooks/twilio/status?m={message.message_id}"
    path = callback.removeprefix(PUBLIC_URL)
    form = fake.status_form(ACCOUNT, message.provider_message_id or "", "delivered")
    unsigned = heard.http.post(f"{heard.url}{path}", data=form)
    assert unsigned.status_code == 403
    signed = heard.http.post(
        f"{heard.url}{path}", data=form,
        headers={"X-Twilio-Signature": twilio_signature(path, form)},
    )
    assert signed.status_code == 204
    late = fake.status_form(ACCOUNT, message.provider_message_id or "", "sent")
    heard.http.post(
        f"{heard.url}{path}", data=late,
        headers={"X-Twilio-Signature": twilio_signature(path, late)},
    )
    assert heard.outbox()[0].delivery_status == "delivered"  # never moves backwards


def test_after_erasure_the_confirmation_is_sent_and_nothing_names_the_person(
    heard: Pipeline,
) -> None:
    heard.post_sms(PERSON, "Hello")
    heard.run_all()
    heard.post_sms(PERSON, "DELETE")
    heard.run_all()
    before = sum(created_bodies(heard).values())
    heard.post_sms(PERSON, "Yes")
    heard.process_inbox()
    with heard.store.unit_of_work() as uow:
        assert uow.people.find("sms", PERSON) is None
    heard.send_outbox()
    confirmation = [m for m in heard.outbox() if m.participant_id is None]
    assert confirmation and all(m.status == "sent" for m in confirmation)
    assert sum(created_bodies(heard).values()) == before + len(confirmation)
    with heard.store.unit_of_work() as uow:
        assert all(uow.outbox.address(m.message_id) is None for m in heard.outbox())
    assert [m for m in heard.outbox() if m.participant_id is not None] == []
    assert all(item.payload == {} for item in heard.inbox())


def replies_since(heard: Pipeline, seen: int) -> list[str | None]:
    """Text ids of the messages Heard said (the message log), after the first `seen`."""
    with heard.store.engine.connect() as connection:
        ids = list(
            connection.scalars(
                select(MessageLogRow.text_id)
                .where(MessageLogRow.direction == "out")
                .order_by(MessageLogRow.id)
            )
        )
    return ids[seen:]


def said(heard: Pipeline, text: str) -> None:
    heard.post_sms(PERSON, text)
    heard.process_inbox()


def test_a_provider_opt_out_mid_flow_then_start_ends_the_flow_once(heard: Pipeline) -> None:
    """Opted out by Twilio in the middle of a consultation, the person comes back with START
    to the question they were at (as after their own STOP), then finishes from the menu: the
    conversation ends there, the old flow does not return."""
    queue_welcome(heard)
    heard.send_outbox()
    said(heard, "yes")  # consent given: the consultation's first question waits
    assert heard.twilio is not None
    waiting = [m for m in heard.outbox() if m.status == "pending"]
    assert waiting
    heard.twilio.program(*[fake.unsubscribed_recipient() for _ in waiting])
    heard.send_outbox()
    heard.process_inbox()  # the provider's opt-out reaches the conversation
    with heard.store.unit_of_work() as uow:
        person = uow.people.find("sms", PERSON)
        assert person is not None and person.opted_out
    before = len(replies_since(heard, 0))
    said(heard, "START")
    assert replies_since(heard, before) == ["common.started_resume", "hys.q_better"]
    said(heard, "MENU")
    said(heard, "4")  # More
    said(heard, "4")  # Finish
    # The flow left by MENU does not come back after the goodbye.
    assert replies_since(heard, before) == [
        "common.started_resume", "hys.q_better", "menu.choose", "menu.choose_more", "menu.bye"
    ]
    heard.send_outbox()
    assert created_bodies(heard)  # START brought messages back
