"""The retention job (bot.retention) on every store: what is kept only for a while
goes, and nothing unfinished goes with it."""

from __future__ import annotations

from bot.retention import RetentionJob
from storage.records import LoggedMessage
from storage.sql import SqlStore
from tests.storage.store_helpers import LEASE, OTHER_PHONE, PHONE, at, outgoing, sms

DAY = 24 * 60  # minutes


def test_the_job_purges_old_processed_rows_and_keeps_recent_and_unfinished_ones(
    store: SqlStore,
) -> None:
    with store.unit_of_work() as uow:
        pid = uow.people.for_address("sms", PHONE, at()).participant_id
        senders = [f"+4477009002{n:02d}" for n in range(4)]
        for n, key in enumerate(("old-done", "old-failed", "old-pending", "new-done")):
            minutes = 40 * DAY if key == "new-done" else 0
            uow.inbox.add("sms", key, sms(key, sender=senders[n]), at(minutes + n))
        claimed = {i.provider_key: i for i in uow.inbox.claim(10, at(40 * DAY + 10), LEASE)}
        old_done = claimed["old-done"]
        uow.inbox.done(old_done.item_id, old_done.attempts, at(40 * DAY + 11), participant_id=pid)
        uow.inbox.failed(claimed["old-failed"].item_id, "turn failed: KeyError", at(40 * DAY))
        uow.inbox.done(claimed["new-done"].item_id, 1, at(40 * DAY + 11))
        uow.inbox.add("sms", "older-pending", sms("older-pending", sender=OTHER_PHONE), at(1))
        uow.messages.log(LoggedMessage(pid, "in", "sms", "old words", None, "en", at(2)))
        uow.messages.log(LoggedMessage(pid, "in", "sms", "new words", None, "en", at(40 * DAY)))
        uow.outbox.add(outgoing("old-sent", pid, 3), address=PHONE)
        uow.outbox.add(outgoing("old-unsent", pid, 4), address=PHONE)
        uow.outbox.claim("sms", 1, at(5), LEASE)
        uow.outbox.sent("old-sent", "SM-old", at(6))
        uow.commit()
        keys = {key: item.item_id for key, item in claimed.items()}

    job = RetentionJob(
        store, inbox_days=30, message_log_days=30, clock=lambda: at(40 * DAY + 20)
    )
    purged = job.run_once()
    assert (purged.inbox, purged.outbox, purged.message_texts) == (2, 1, 1)

    with store.unit_of_work() as uow:
        assert uow.inbox.get(keys["old-done"]) is None
        assert uow.inbox.get(keys["old-failed"]) is None
        assert uow.inbox.get(keys["new-done"]) is not None
        # Claimed but not finished, however old: still a worker's.
        assert uow.inbox.get(keys["old-pending"]) is not None
        assert uow.outbox.get("old-sent") is None
        assert uow.outbox.get("old-unsent") is not None
        texts = [m["text"] for m in uow.erasure.export(pid)["messages"]]
        assert texts == [None, "new words"]
    # Running again finds nothing more to do.
    assert job.run_once() == type(purged)(0, 0, 0)


def test_the_retention_periods_come_from_the_settings() -> None:
    from bot.config import load_settings

    settings = load_settings(
        {
            "HEARD_SECRET_KEY": "k" * 32,
            "HEARD_INBOX_RETENTION_DAYS": "7",
            "HEARD_DATA_DIR": "/nonexistent",
        }
    )
    assert settings.inbox_retention_days == 7
    assert settings.message_log_retention_days == 7  # follows the inbox unless set
