"""`heard run --telegram-polling` killed with SIGKILL the moment it tells Telegram it has its
updates: every update Telegram was told about is already in the inbox, and a restart adds no
second copy. On SQLite and PostgreSQL, against the fake Bot API. The database's write lock is
held for a few seconds while the batch arrives, so a poller that confirmed before committing
would be caught with an empty inbox.

PTB's Updater confirms a batch by asking getUpdates for a higher offset; Heard's update queue
does not let it ask before the batch is committed (bot/channels/telegram/updates.py).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from storage import models as m
from storage.sql import SqlStore
from tests.fakes import telegram_api as tg
from tests.fakes.live_server import live_server
from tests.support.worker_process import heard_process
from tests.web.harness import (
    BOT_ID,
    BOT_TOKEN,
    database_url_of,
    heard_env,
    stored_inbox,
    wait_until,
)

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]
CHAT = 7700900401
UPDATE_IDS = (8801, 8802, 8803)
LOCK_SECONDS = 3.0


def hold_write_lock(store: SqlStore, seconds: float) -> None:
    """Takes the database's write lock for the inbox in a thread of its own, for `seconds`."""
    held = threading.Event()

    def run() -> None:
        with store.engine.begin() as connection:  # SQLite: BEGIN IMMEDIATE
            if connection.dialect.name == "postgresql":
                table = m.InboxRow.__tablename__
                connection.exec_driver_sql(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            held.set()
            time.sleep(seconds)

    threading.Thread(target=run, daemon=True).start()
    assert held.wait(10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextmanager
def polling(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    args = ["run", "--telegram-polling", "--no-workers", "--port", str(_free_port())]
    with heard_process(args, env, log, grace=None) as process:
        yield process


def test_a_poller_killed_as_it_confirms_has_committed_what_it_confirmed(
    sql_store: SqlStore, tmp_path: Path
) -> None:
    api = tg.FakeTelegramApi(BOT_TOKEN, bot_id=BOT_ID)
    now = int(time.time())
    for n, update_id in enumerate(UPDATE_IDS):
        api.queue_update(tg.text_update(update_id, CHAT + n, "Hello", now))
    keys = [f"{BOT_ID}:{update_id}" for update_id in UPDATE_IDS]
    committed_at_confirmation: list[list[str]] = []
    pids: list[int] = []

    def confirmed(offset: int) -> None:
        # Runs as Telegram hears "received": look at the inbox, then kill at once.
        committed_at_confirmation.append(
            sorted(item.provider_key for item in stored_inbox(sql_store))
        )
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        pids.clear()

    locked: list[bool] = []

    def serving(params: dict[str, object]) -> None:
        if not locked and api.updates:
            locked.append(True)
            hold_write_lock(sql_store, LOCK_SECONDS)

    api.on_confirm = confirmed
    api.on_get_updates = serving
    with live_server(api.app) as url:
        env = os.environ | heard_env(tmp_path, database_url_of(sql_store), telegram_url=url)
        with polling(env, tmp_path / "run.log") as process:
            pids.append(process.pid)
            process.wait(timeout=120)  # killed by `confirmed`, or it failed on its own
        assert committed_at_confirmation, (tmp_path / "run.log").read_text()[-2000:]
        assert committed_at_confirmation[0] == sorted(keys)
        assert process.returncode == -signal.SIGKILL

        # Started again, it asks from the confirmed offset: nothing comes twice.
        api.on_confirm = None
        api.on_get_updates = None
        with polling(env, tmp_path / "run.log"):
            wait_until(
                lambda: any(
                    method == "getUpdates" and int(params.get("offset") or 0) > UPDATE_IDS[-1]
                    for method, params in api.calls[-5:]
                ),
                120,
                "the restarted poller",
            )
    assert sorted(item.provider_key for item in stored_inbox(sql_store)) == sorted(keys)
