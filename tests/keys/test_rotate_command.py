"""`heard keys rotate` as an operator runs it, on a SQLite file and on PostgreSQL: killed midway
(SIGKILL) and run again, it finishes, and the old key can then be removed. `heard keys new`
prints a secret."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from storage import models as m
from storage.crypto import AddressCipher, generate_secret
from storage.db import make_engine, migrate
from storage.sql import SqlStore
from tests.conftest import POSTGRES
from tests.storage.store_helpers import at, sms

HEARD = Path(sys.executable).parent / "heard"
K1 = ("k1", generate_secret())
K2 = ("k2", generate_secret())
PEOPLE = 120


def heard(data_dir: Path, *keys: tuple[str, str], url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEARD_", "DATABASE_URL"))}
    if url is not None:
        env["DATABASE_URL"] = url
    env.update(
        HEARD_DATA_DIR=str(data_dir),
        HEARD_SECRET_KEYS=",".join(f"{key_id}:{secret}" for key_id, secret in keys),
        PYTHONIOENCODING="utf-8",
    )
    return env


def key_ids(engine_url: str) -> list[str | None]:
    engine = make_engine(engine_url)
    try:
        with engine.connect() as connection:
            blobs = connection.scalars(select(m.AddressRow.address_ciphertext)).all()
            blobs += connection.scalars(select(m.InboxRow.payload_ciphertext)).all()
            blobs += connection.scalars(select(m.PersonKeyRow.wrapped)).all()
    finally:
        engine.dispose()
    return [AddressCipher.key_id_of(blob) for blob in blobs if blob is not None]


@pytest.mark.parametrize("kind", ["sqlite", POSTGRES])
def test_rotation_killed_midway_and_run_again_finishes(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'heard.sqlite'}"
    else:
        url = str(request.getfixturevalue("postgres_url"))
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as connection:  # the shared test database: start empty
        for table in reversed(m.Base.metadata.sorted_tables):
            connection.execute(table.delete())
    store = SqlStore(engine, AddressCipher([K1]))
    with store.unit_of_work() as uow:
        for n in range(PEOPLE):
            number = f"+4477009{n:05d}"
            uow.people.for_address("sms", number, at(n))
            uow.inbox.add("sms", f"SM{n}", sms(f"SM{n}", sender=number), at(n))
        uow.commit()
    engine.dispose()

    env = heard(tmp_path, K2, K1, url=url)
    command = [str(HEARD), "keys", "rotate", "--batch", "5", "--pause", "0.2"]
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    assert first.stdout is not None
    assert first.stdout.readline().startswith("re-encrypting under key k2")
    assert first.stdout.readline().startswith("participant_addresses: 5 scanned")
    first.kill()
    first.wait(timeout=30)
    first.stdout.close()
    midway = key_ids(url)
    assert "k1" in midway and "k2" in midway  # killed with work left...
    engine = make_engine(url)
    try:
        with SqlStore(engine, AddressCipher([K2, K1])).unit_of_work() as uow:  # ...all readable
            for n in range(0, PEOPLE, 7):
                number = f"+4477009{n:05d}"
                person = uow.people.find("sms", number)
                assert person is not None
                assert uow.people.address_of(person.participant_id, "sms") == number
    finally:
        engine.dispose()

    again = subprocess.run(
        [*command[:-1], "0"], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1].startswith(f"done: {3 * PEOPLE} scanned")
    assert set(key_ids(url)) == {"k2"}

    engine = make_engine(url)
    try:
        with SqlStore(engine, AddressCipher([K2])).unit_of_work() as uow:  # k1 removed
            person = uow.people.find("sms", "+447700900007")
            assert person is not None
            assert uow.people.address_of(person.participant_id, "sms") == "+447700900007"
            assert len(uow.inbox.claim(PEOPLE, at(PEOPLE), 60)) == PEOPLE
    finally:
        engine.dispose()


def test_keys_new_prints_a_fresh_secret(tmp_path: Path) -> None:
    env = heard(tmp_path, K1)
    made = [
        subprocess.run(
            [str(HEARD), "keys", "new"], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    ]
    assert made[0] != made[1]
    AddressCipher([("k3", made[0])])  # strong enough for the keyring
