"""A person who talked to Heard under key k1 comes back after k2 is added: the conversation
carries on as the same participant, and their DELETE reaches everything k1 made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from storage import models as m
from storage.crypto import AddressCipher, generate_secret
from storage.sql import SqlStore
from tests.support.keys import TEST_SECRET
from tests.web.harness import Brains

PHONE = "+447700900321"
K1 = ("k1", TEST_SECRET)
K2 = ("k2", generate_secret())


def test_a_returning_person_is_the_same_participant_and_delete_reaches_old_data(
    sql_store: SqlStore, brains: Brains
) -> None:
    conversation = brains.runtime.conversation
    now = datetime.now(UTC)

    def say(keys: list[tuple[str, str]], text: str, minutes: int) -> tuple[str, bool]:
        store = SqlStore(sql_store.engine, AddressCipher(keys))
        with store.unit_of_work() as uow:
            outcome = conversation.handle(
                uow, channel="sms", address=PHONE, text=text, at=now + timedelta(minutes=minutes)
            )
            uow.commit()
        return outcome.participant_id, outcome.erased

    first, _ = say([K1], "Hello", 0)
    again, _ = say([K2, K1], "Hello", 1)
    assert again == first
    say([K2, K1], "DELETE", 2)
    _, erased = say([K2, K1], "YES", 3)
    assert erased
    with sql_store.engine.connect() as connection:
        for table in (m.ParticipantRow, m.AddressRow, m.PersonKeyRow, m.SessionRow):
            assert connection.scalar(select(func.count()).select_from(table)) == 0, table
    returning, _ = say([K2], "Hello", 4)  # a new start: nothing of the old person is found
    assert returning != first
