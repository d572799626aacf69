"""`heard` commands as their own processes, for tests that kill them (SIGKILL) and start them
again."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def heard_process(
    args: list[str], env: dict[str, str], log: Path, *, grace: float | None = 10.0
) -> Iterator[subprocess.Popen[bytes]]:
    """Runs `heard <args>` with `env`, its output appended to `log`. On leaving, a process still
    running gets SIGTERM and `grace` seconds to finish, then SIGKILL (at once if `grace` is
    None)."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *args],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            if grace is None:
                process.kill()
            else:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    process.kill()
        process.wait()


@contextmanager
def heard_worker(
    env: dict[str, str], log: Path, *, grace: float = 10.0
) -> Iterator[subprocess.Popen[bytes]]:
    """`heard worker --poll 0.05` (heard_process): on leaving, SIGTERM and `grace` seconds to
    finish its sends, then SIGKILL."""
    with heard_process(["worker", "--poll", "0.05"], env, log, grace=grace) as process:
        yield process
