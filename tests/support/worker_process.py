"""`heard worker` as its own process, for tests that kill it (SIGKILL) and start it again."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def heard_worker(
    env: dict[str, str], log: Path, *, grace: float = 10.0
) -> Iterator[subprocess.Popen[bytes]]:
    """Runs `heard worker --poll 0.05` with `env`, its output appended to `log`. On leaving, a
    worker still running gets SIGTERM and `grace` seconds to finish its sends, then SIGKILL."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "worker", "--poll", "0.05"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
