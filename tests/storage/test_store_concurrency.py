"""Several workers at once on a real database: deliveries stay single, claims stay disjoint."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from storage.sql import SqlStore
from tests.storage.store_helpers import LEASE, PHONE, at, sms

WORKERS = 6
T = TypeVar("T")


def together(work: Callable[[], T]) -> list[T]:
    """Runs `work` in WORKERS threads released at the same moment."""
    start = threading.Barrier(WORKERS)

    def run() -> T:
        start.wait()
        return work()

    with ThreadPoolExecutor(WORKERS) as pool:
        return [f.result() for f in [pool.submit(run) for _ in range(WORKERS)]]


def test_racing_deliveries_of_one_message_store_it_once(sql_store: SqlStore) -> None:
    def deliver() -> bool:
        with sql_store.unit_of_work() as uow:
            added = uow.inbox.add("sms", "SM-race", sms("SM-race"), at())
            uow.commit()
            return added

    assert sorted(together(deliver)) == [False] * (WORKERS - 1) + [True]
    with sql_store.unit_of_work() as uow:
        assert len(uow.inbox.claim(100, at(1), LEASE)) == 1


def test_racing_workers_never_claim_the_same_item(sql_store: SqlStore) -> None:
    with sql_store.unit_of_work() as uow:
        for n in range(30):
            uow.inbox.add("sms", f"SM{n}", sms(f"SM{n}", sender=f"+4477009002{n:02d}"), at())
        uow.commit()

    def claim() -> list[int]:
        with sql_store.unit_of_work() as uow:
            items = uow.inbox.claim(4, at(1), LEASE)
            uow.commit()
            return [item.item_id for item in items]

    claimed = [item for batch in together(claim) for item in batch]
    assert len(claimed) == len(set(claimed)) == min(30, 4 * WORKERS)


def test_racing_first_messages_from_one_number_make_one_person(sql_store: SqlStore) -> None:
    def first_contact() -> str:
        with sql_store.unit_of_work() as uow:
            pid = uow.people.for_address("sms", PHONE, at()).participant_id
            uow.commit()
            return pid

    assert len(set(together(first_contact))) == 1
