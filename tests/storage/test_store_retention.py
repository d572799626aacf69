"""The retention job (bot.delivery.retention) on every store: what is kept only for a while
goes, and nothing unfinished goes with it."""

from __future__ import annotations

from bot.delivery.retention import RetentionJob
from storage.records import LoggedMessage
from storage.repository import Store
from tests.storage.store_helpers import LEASE, OTHER_PHONE, PHONE, at, outgoing, sms

DAY = 24 * 60  # minutes


def test_the_job_purges_old_processed_rows_and_keeps_recent_and_unfinished_ones(
    store: Store,
) -> None:
    with store.repository() as repo:
        pid = repo.participant_for("sms", PHONE, at()).participant_id
        senders = [f"+4477009002{n:02d}" for n in range(4)]
        for n, key in enumerate(("old-done", "old-failed", "old-pending", "new-done")):
            minutes = 40 * DAY if key == "new-done" else 0
            repo.inbox_add("sms", key, sms(key, sender=senders[n]), at(minutes + n))
        claimed = {i.provider_key: i for i in repo.inbox_claim(10, at(40 * DAY + 10), LEASE)}
        repo.inbox_done(claimed["old-done"].item_id, at(40 * DAY + 11), participant_id=pid)
        repo.inbox_failed(claimed["old-failed"].item_id, "turn failed: KeyError", at(40 * DAY))
        repo.inbox_done(claimed["new-done"].item_id, at(40 * DAY + 11))
        repo.inbox_add("sms", "older-pending", sms("older-pending", sender=OTHER_PHONE), at(1))
        repo.log_message(LoggedMessage(pid, "in", "sms", "old words", None, "en", at(2)))
        repo.log_message(LoggedMessage(pid, "in", "sms", "new words", None, "en", at(40 * DAY)))
        repo.outbox_add(outgoing("old-sent", pid, 3))
        repo.outbox_add(outgoing("old-unsent", pid, 4))
        repo.outbox_claim("sms", 1, at(5), LEASE)
        repo.outbox_sent("old-sent", "SM-old", at(6))
        repo.commit()
        keys = {key: item.item_id for key, item in claimed.items()}

    job = RetentionJob(
        store, inbox_days=30, message_log_days=30, clock=lambda: at(40 * DAY + 20)
    )
    purged = job.run_once()
    assert (purged.inbox, purged.outbox, purged.message_texts) == (2, 1, 1)

    with store.repository() as repo:
        assert repo.inbox_get(keys["old-done"]) is None
        assert repo.inbox_get(keys["old-failed"]) is None
        assert repo.inbox_get(keys["new-done"]) is not None
        # Claimed but not finished, however old: still a worker's.
        assert repo.inbox_get(keys["old-pending"]) is not None
        assert repo.outbox_get("old-sent") is None
        assert repo.outbox_get("old-unsent") is not None
        texts = [m["text"] for m in repo.export_participant(pid)["messages"]]
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
