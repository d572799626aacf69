"""`heard worker` lowers its own CPU priority by HEARD_WORKER_NICE (bot.workers.lower_priority),
so a web service on the same host answers webhooks first; the setting is checked at start. Its
turns give way to webhooks being recorded unless HEARD_WORKER_PACING is off (bot.inbox.pacing)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from tests.support.worker_process import heard_worker
from tests.web.harness import heard_env


@pytest.mark.parametrize("raw", ["20", "-1", "low"])
def test_a_niceness_out_of_range_is_refused_at_start(raw: str) -> None:
    with pytest.raises(ConfigError, match=r"HEARD_WORKER_NICE|whole number"):
        load_settings({"HEARD_WORKER_NICE": raw})


def _niceness(pid: int) -> int:
    # /proc/<pid>/stat: the 19th field is the nice value (after the parenthesised name).
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[16])


def test_heard_worker_runs_below_the_priority_it_was_started_with(tmp_path: Path) -> None:
    ours = ("HEARD_", "TWILIO_", "TELEGRAM_", "DATABASE_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env |= heard_env(tmp_path, f"sqlite:///{tmp_path / 'heard.sqlite'}", HEARD_WORKER_NICE="7")
    started_at = os.nice(0)
    with heard_worker(env, tmp_path / "worker.log") as worker:
        deadline = time.monotonic() + 60
        while _niceness(worker.pid) == started_at:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, "the worker kept its priority"
            time.sleep(0.1)
        assert _niceness(worker.pid) == min(started_at + 7, 19)


@pytest.mark.parametrize(
    ("raw", "paced"), [("", True), ("yes", True), ("1", True), ("0", False), ("off", False)]
)
def test_worker_turns_give_way_to_webhooks_unless_turned_off(raw: str, paced: bool) -> None:
    assert load_settings({"HEARD_WORKER_PACING": raw}).worker_pacing is paced


def test_a_pacing_setting_that_is_not_yes_or_no_is_refused_at_start() -> None:
    with pytest.raises(ConfigError, match="HEARD_WORKER_PACING"):
        load_settings({"HEARD_WORKER_PACING": "sometimes"})
