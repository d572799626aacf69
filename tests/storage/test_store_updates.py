"""\"You said, we did\" in the store, on SQLite and PostgreSQL: who an update is for, the fan-out
to recipient and outbox rows (once per person, also when resumed or raced), people held back
for want of a text, STOP after queuing, delivery counts, replies' look-up and erasure."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.catalogue import load_catalogue
from bot.updates.send import fan_out_batch, send_now
from storage import models as m
from storage.records import UpdateAudience
from storage.repositories.updates import recipient_message_id
from storage.sql import SqlStore
from tests.support.updates import SEEDED_AT, Contributor, seed

CATALOGUE = load_catalogue()


def now() -> datetime:
    return SEEDED_AT + timedelta(days=1)


PEOPLE = [
    Contributor("+447700900001"),  # English, standard, SMS
    Contributor("+447700900002", language="pl", register="easy"),
    Contributor("555000003", channel="telegram", language="cy"),
    Contributor("+447700900004", updates=False),  # said no
    Contributor("+447700900005", updates=None),  # never asked
    Contributor("+447700900006", opted_out=True),  # said STOP
    Contributor("+447700900007", tagged=False),  # a view on something else
    Contributor("+447700900008", language="so"),  # no Somali text: held back
]


def written_update(store: SqlStore, theme_id: int) -> int:
    with store.unit_of_work() as uow:
        update = uow.updates.create(theme_id, "Buses", "coordinator@example.org", now())
        for (language, register), text in {
            ("en", "standard"): "You said the bus was late. From May it comes every 20 minutes.",
            ("pl", "easy"): "Mówiliście, że autobus się spóźnia. Teraz jeździ częściej.",
            ("cy", "standard"): "Dywedoch chi fod y bws yn hwyr. Nawr mae'n dod yn amlach.",
        }.items():
            uow.updates.set_text(update.update_id, language, register, text, now())
        uow.updates.request_send(update.update_id, now())
        uow.commit()
    return update.update_id


def outbox_rows(store: SqlStore) -> list[m.OutboxRow]:
    with store.engine.connect() as connection:
        return list(connection.execute(select(m.OutboxRow)).all())  # type: ignore[arg-type]


def test_an_update_reaches_only_those_who_said_yes_each_in_their_language(
    store: SqlStore,
) -> None:
    theme_id, ids = seed(store, "Transport", PEOPLE)
    update_id = written_update(store, theme_id)
    assert send_now(store, CATALOGUE, update_id, clock=now) == 4
    rows = outbox_rows(store)
    assert sorted(r.participant_id for r in rows) == sorted([ids[0], ids[1], ids[2]])
    by_person = {r.participant_id: r for r in rows}
    assert by_person[ids[0]].text.startswith("You said the bus")
    assert by_person[ids[0]].encoding == "gsm7" and by_person[ids[0]].channel == "sms"
    assert by_person[ids[1]].text.startswith("Mowiliscie") or "Mówiliście" in by_person[ids[1]].text
    assert by_person[ids[2]].channel == "telegram" and by_person[ids[2]].text.startswith("Dywedoch")
    with store.unit_of_work() as uow:
        assert uow.updates.get(update_id).status == "sent"  # type: ignore[union-attr]
        delivery = {(d.language, d.channel): d for d in uow.updates.delivery(update_id)}
    assert delivery[("so", "sms")].held_back == 1  # never sent in English
    assert delivery[("en", "sms")].queued == 1 and delivery[("pl", "sms")].queued == 1


def test_a_resumed_or_raced_fan_out_queues_nobody_twice(store: SqlStore) -> None:
    theme_id, ids = seed(store, "Transport", [Contributor(f"+4477009001{n:02d}") for n in range(7)])
    update_id = written_update(store, theme_id)
    # A batch that dies before its commit leaves nothing behind.
    with store.unit_of_work() as uow:
        update = uow.updates.get(update_id)
        assert update is not None
        for person in uow.updates.audience(update_id, theme_id, 3):
            uow.updates.add_recipient(
                update_id, person, recipient_message_id(update_id, person.participant_id), now()
            )
    assert outbox_rows(store) == []
    assert fan_out_batch(store, CATALOGUE, update_id, clock=now, batch=3) == 3
    assert send_now(store, CATALOGUE, update_id, clock=now, batch=3) == 4
    assert send_now(store, CATALOGUE, update_id, clock=now, batch=3) == 0  # finished: nothing
    with store.unit_of_work() as uow:
        uow.updates.request_send(update_id, now())  # sent again: only those still owed
        uow.commit()
    assert send_now(store, CATALOGUE, update_id, clock=now) == 0
    assert sorted(r.id for r in outbox_rows(store)) == sorted(
        recipient_message_id(update_id, pid) for pid in ids
    )
    # A second recipient row for the same person is refused by the database.
    with store.unit_of_work() as uow, pytest.raises(IntegrityError):
        uow.updates.add_recipient(
            update_id, UpdateAudience(ids[0], "en", "standard", "sms", None), None, now()
        )


def test_people_held_back_get_the_update_once_their_text_is_written(store: SqlStore) -> None:
    theme_id, ids = seed(store, "Transport", [Contributor("+447700900201", language="so")])
    update_id = written_update(store, theme_id)
    send_now(store, CATALOGUE, update_id, clock=now)
    assert outbox_rows(store) == []
    with store.unit_of_work() as uow:
        uow.updates.set_text(update_id, "so", "standard", "Waxaad tidhaahdeen baska.", now())
        uow.updates.request_send(update_id, now())
        uow.commit()
    send_now(store, CATALOGUE, update_id, clock=now)
    send_now(store, CATALOGUE, update_id, clock=now)
    assert [r.participant_id for r in outbox_rows(store)] == ids
    with store.unit_of_work() as uow:
        (only,) = uow.updates.delivery(update_id)
    assert (only.language, only.queued, only.held_back) == ("so", 1, 0)


def test_stop_after_queuing_withholds_the_update_and_counts_it_opted_out(
    store: SqlStore,
) -> None:
    theme_id, ids = seed(store, "Transport", [Contributor("+447700900301")])
    update_id = written_update(store, theme_id)
    send_now(store, CATALOGUE, update_id, clock=now)
    with store.unit_of_work() as uow:
        assert uow.updates.withhold_pending(ids[0], now()) == 1
        uow.commit()
    (row,) = outbox_rows(store)
    assert row.status == "failed" and row.recipient_ciphertext is None
    with store.unit_of_work() as uow:
        (only,) = uow.updates.delivery(update_id)
    assert (only.queued, only.opted_out) == (0, 1)


def test_delivery_counts_follow_the_outbox_and_status_callbacks(store: SqlStore) -> None:
    people = [Contributor(f"+4477009004{n:02d}") for n in range(4)]
    people.append(Contributor("555000405", channel="telegram"))
    theme_id, ids = seed(store, "Transport", people)
    update_id = written_update(store, theme_id)
    send_now(store, CATALOGUE, update_id, clock=now)
    msg = [recipient_message_id(update_id, pid) for pid in ids]
    with store.unit_of_work() as uow:
        uow.outbox.sent(msg[0], "SM" + "0" * 32, now())
        uow.outbox.status_update("SM" + "0" * 32, "delivered")
        uow.outbox.sent(msg[1], "SM" + "1" * 32, now())
        uow.outbox.status_update("SM" + "1" * 32, "undelivered", "30003")
        uow.outbox.failed(msg[2], "opted out (21610)", now())
        uow.outbox.sent(msg[4], "77", now())
        uow.commit()
    with store.unit_of_work() as uow:
        counts = {(d.channel): d for d in uow.updates.delivery(update_id)}
    sms, telegram = counts["sms"], counts["telegram"]
    assert (sms.delivered, sms.failed, sms.opted_out, sms.queued) == (1, 1, 1, 1)
    assert (telegram.sent, telegram.queued) == (1, 0)


def test_the_update_last_received_is_found_for_a_reply_and_erasure_removes_it(
    store: SqlStore,
) -> None:
    theme_id, ids = seed(store, "Transport", [Contributor("+447700900501")])
    update_id = written_update(store, theme_id)
    send_now(store, CATALOGUE, update_id, clock=now)
    with store.unit_of_work() as uow:
        found = uow.updates.last_received(ids[0], now() - timedelta(days=3))
        assert found is not None and found.update_id == update_id
        assert found.text.startswith("You said the bus")
        assert uow.updates.last_received(ids[0], now() + timedelta(minutes=1)) is None
        uow.erasure.erase(ids[0], now())
        uow.commit()
    with store.engine.connect() as connection:
        left = connection.scalar(select(func.count()).select_from(m.UpdateRecipientRow))
    assert left == 0
