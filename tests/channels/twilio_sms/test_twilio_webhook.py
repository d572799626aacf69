"""`POST /webhooks/twilio` through the whole pipeline: signed requests from the real
`RequestValidator`, the app on uvicorn, the inbox worker, the outbox sending through the real
twilio client to the fake Twilio API. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.sql import SqlStore
from tests.web.harness import Brains, Pipeline, pipeline, twilio_signature

NEW = "+447700900201"


@pytest.fixture
def heard(brains: Brains, sql_store: SqlStore, tmp_path: Path) -> Iterator[Pipeline]:
    with pipeline(brains, sql_store, tmp_path, telegram=False) as running:
        yield running


def texts_to(heard: Pipeline, number: str) -> list[str]:
    assert heard.twilio is not None
    return [m["body"] for m in heard.twilio.created if m["to"] == number]


@pytest.mark.parametrize(
    ("sign", "signature", "status", "stored"),
    [
        pytest.param(True, None, 200, 1, id="valid"),
        pytest.param(False, "bm90LWEtcmVhbC1zaWduYXR1cmU=", 403, 0, id="bad-signature"),
        pytest.param(False, None, 403, 0, id="missing-signature"),
    ],
)
def test_only_signed_messages_are_stored_and_answered(
    heard: Pipeline, sign: bool, signature: str | None, status: int, stored: int
) -> None:
    response, _ = heard.post_sms(NEW, "Hello", sign=sign, signature=signature)
    assert response.status_code == status
    if status == 200:
        assert response.headers["content-type"].startswith("text/xml")
        assert response.text.endswith("<Response/>")  # replies go through the REST API
    heard.run_all()
    assert len(heard.inbox()) == stored
    assert bool(texts_to(heard, NEW)) is bool(stored)


def test_a_signature_for_other_fields_is_refused(heard: Pipeline) -> None:
    _, form = heard.post_sms(NEW, "Hello")
    tampered = {**form, "MessageSid": "SM" + "0" * 32, "Body": "Hello again"}
    signature_of_original = twilio_signature("/webhooks/twilio", form)
    assert heard.repost_sms(tampered, signature=signature_of_original).status_code == 403


def test_a_repeated_delivery_is_acknowledged_and_answered_once(heard: Pipeline) -> None:
    first, form = heard.post_sms(NEW, "Hello")
    again = heard.repost_sms(form)
    assert (first.status_code, again.status_code) == (200, 200)
    heard.run_all()
    once, _ = heard.post_sms("+447700900202", "Hello")  # the same text from someone else
    heard.run_all()
    assert once.status_code == 200
    assert len(heard.inbox()) == 2
    assert texts_to(heard, NEW) == texts_to(heard, "+447700900202")
    assert texts_to(heard, NEW)


@pytest.mark.parametrize(
    ("word", "opt_out_type"),
    [
        pytest.param("STOP", "STOP", id="english"),
        pytest.param("wypisz", None, id="polish"),
        pytest.param("stopio", None, id="welsh"),
        pytest.param("بند کریں", None, id="urdu"),
        pytest.param("OPTOUT", "STOP", id="provider-only-keyword"),
    ],
)
def test_stop_gets_one_confirmation_then_silence(
    heard: Pipeline, word: str, opt_out_type: str | None
) -> None:
    heard.post_sms(NEW, "Hello")
    heard.run_all()
    before = len(texts_to(heard, NEW))
    heard.post_sms(NEW, word, opt_out_type=opt_out_type)
    heard.run_all()
    assert len(texts_to(heard, NEW)) == before + 1
    heard.post_sms(NEW, "Hello again")
    heard.post_sms(NEW, "1")
    heard.run_all()
    assert len(texts_to(heard, NEW)) == before + 1
    with heard.store.unit_of_work() as uow:
        person = uow.people.find("sms", NEW)
        assert person is not None and person.opted_out
        assert uow.consent.latest(person.participant_id)["messages"] is False
        withdrawals = [
            e for e in uow.consent.history(person.participant_id) if e.purpose == "messages"
        ]
        assert len(withdrawals) == 1


def test_start_from_the_provider_brings_a_person_back(heard: Pipeline) -> None:
    heard.post_sms(NEW, "STOP", opt_out_type="STOP")
    heard.post_sms(NEW, "UNSTOP", opt_out_type="START")
    heard.run_all()
    with heard.store.unit_of_work() as uow:
        person = uow.people.find("sms", NEW)
        assert person is not None and not person.opted_out
    heard.post_sms(NEW, "Hello")
    before = len(texts_to(heard, NEW))
    heard.run_all()
    assert len(texts_to(heard, NEW)) > before


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("I want to say this. " * 250, id="5000-characters"),
        pytest.param("Dzień dobry, chcę coś powiedzieć 🙂", id="non-gsm"),
        pytest.param("", id="empty"),
    ],
)
def test_awkward_bodies_are_taken_and_answered(heard: Pipeline, body: str) -> None:
    response, _ = heard.post_sms(NEW, body)
    assert response.status_code == 200
    heard.run_all()
    [item] = heard.inbox()
    assert item.status == "done"
    assert texts_to(heard, NEW)
    assert all(m.status == "sent" for m in heard.outbox())


def test_a_new_sender_is_welcomed_with_segment_counts_that_match_twilio(heard: Pipeline) -> None:
    heard.post_sms(NEW, "Hello")
    heard.run_all()
    assert heard.twilio is not None
    billed = {m["body"]: int(m["num_segments"]) for m in heard.twilio.created}
    stored = heard.outbox()
    assert stored
    for message in stored:
        assert message.status == "sent" and message.provider_message_id
        assert billed[message.text] == message.segments
    # The recipient's address is wiped once sent.
    with heard.store.unit_of_work() as uow:
        assert all(uow.outbox.address(m.message_id) is None for m in stored)


def test_a_signed_request_replayed_with_shifted_fields_is_refused(heard: Pipeline) -> None:
    """Twilio signs the URL plus each sorted key and value run together, so moving the next
    field's key and value into the end of MessageSid keeps the signature valid; the new id
    would make it look like a new message. The MessageSid shape check refuses it."""
    first, form = heard.post_sms(NEW, "Hello")
    assert first.status_code == 200
    keys = sorted(form)
    following = keys[keys.index("MessageSid") + 1]
    shifted = {k: v for k, v in form.items() if k != following}
    shifted["MessageSid"] = form["MessageSid"] + following + form[following]
    signature = twilio_signature("/webhooks/twilio", form)
    assert twilio_signature("/webhooks/twilio", shifted) == signature
    assert heard.repost_sms(shifted, signature=signature).status_code == 400
    assert len(heard.inbox()) == 1


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"AccountSid": "AC" + "f" * 32}, id="another-account"),
        pytest.param({"MessageSid": "SM" + "a" * 300}, id="over-long-sid"),
        pytest.param({"From": ""}, id="no-sender"),
    ],
)
def test_a_signed_form_that_is_not_ours_is_refused(heard: Pipeline, change: dict[str, str]) -> None:
    _, form = heard.post_sms(NEW, "Hello")
    odd = {**form, "MessageSid": "SM" + "c" * 32, **change}
    assert heard.repost_sms(odd).status_code == 400
    assert len(heard.inbox()) == 1
