"""What one conversation turn asks of the database, through the inbox worker as channels run
it, on SQLite and PostgreSQL: the person and their session are read once, the replies are
queued without decrypting the address again, and the inbox item is finished by one UPDATE."""

from __future__ import annotations

import re

from bench.statements import play
from storage.sql import SqlStore
from tests.web.harness import Brains


def tables(statement: str) -> set[str]:
    return set(re.findall(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+\"?(\w+)", statement))


def test_a_turn_reads_the_person_and_the_session_once(sql_store: SqlStore, brains: Brains) -> None:
    runtime = brains.runtime
    played = play(sql_store, runtime.conversation, runtime.catalogue)
    turns = played.turns
    for n, turn in enumerate(turns):
        selects = [s for s in turn if s.startswith("SELECT")]
        reading = [t for s in selects for t in tables(s)]
        where = f"turn {n}: {selects}"
        assert reading.count("participants") == 1, where
        assert reading.count("sessions") == 1, where
        assert reading.count("participant_addresses") == 1, where  # joined to the person
        assert "inbox" not in reading and "outbox" not in reading, where
        inbox_writes = [s for s in turn if tables(s) & {"inbox"}]
        assert len(inbox_writes) == 1 and inbox_writes[0].startswith("UPDATE"), where
    assert sum(len(turn) for turn in turns) / len(turns) <= 11


def test_the_nlu_runs_before_the_turn_from_one_read_without_a_write_lock(
    sql_store: SqlStore, brains: Brains
) -> None:
    runtime = brains.runtime
    played = play(sql_store, runtime.conversation, runtime.catalogue)
    for n, read in enumerate(played.reads):
        assert [s.split()[0] for s in read if s != "BEGIN"] == ["SELECT"], f"turn {n}: {read}"
        assert "BEGIN IMMEDIATE" not in read, f"turn {n}: {read}"
