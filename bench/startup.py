"""Command start-up in CPU seconds: each `heard` command a person or an operator runs often,
measured directly, and `heard chat` and `heard lint` against an earlier revision as a ratio.

Each command runs as a deployment runs it (`python -m bot.cli ...`, a fresh process, the
classifier and the parsed flows and catalogue already cached on disk by an untimed first run),
timed by the CPU the child used (user + system), never wall time, which on a shared machine
measures the neighbours. A command that ends is timed with `RUSAGE_CHILDREN`; a service that
keeps running (`heard run`, `heard worker`) by its own user + system time in `/proc/<pid>/stat`
at the moment it is ready (`/healthz` answers; the worker logs "workers started"), before it is
stopped. CPU time still varies with the load (shared caches, frequency), so the load average is
printed beside the figures.

The same `heard chat` and `heard lint` of an earlier revision (checked out with `git archive`)
run in the same rounds, interleaved, so the ratio holds however loaded the machine is.

Run: `python -m bench.startup [--rounds N] [--against REV]` (Linux: reads `/proc`).
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bench.turns import REPO, checkout

# The code before the start-up work (deferred imports, Alembic skipped at the head, no SciPy
# to parse).
BASELINE = "713fbe7"
CHAT = (["chat", "--channel", "sms", "--from", "+447700900123"], "hello\n")
COMPARED: dict[str, tuple[list[str], str]] = {
    "`heard chat` (SMS), start to first reply": CHAT,
    "`heard chat` (SMS), start only (no input)": (CHAT[0], ""),
    "`heard lint`": (["lint"], ""),
}
# Commands that end, timed directly in this tree only.
DIRECT: dict[str, tuple[list[str], str]] = {
    "`heard --help`": (["--help"], ""),
    **COMPARED,
    "`heard nlu parse hello`": (["nlu", "parse", "hello"], ""),
    "`heard export views` (CSV, the bench's few views)": (["export", "views"], ""),
    "`heard export views --help`": (["export", "views", "--help"], ""),
}
TICK = os.sysconf("SC_CLK_TCK")
READY_TIMEOUT = 120.0


def cpu_seconds(tree: Path, args: list[str], stdin: str, env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=tree, env=env, input=stdin.encode(), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of a running process (`/proc/<pid>/stat` fields 14 and 15)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / TICK


def cpu_until_ready(
    args: list[str], env: dict[str, str], ready: Callable[[subprocess.Popen[bytes], Path], bool],
    log: Path,
) -> float:
    """CPU seconds a long-running command used until `ready` says so; then it is stopped."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *args], cwd=REPO, env=env,
            stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while not ready(process, log):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"heard {' '.join(args)} never got ready:\n{log.read_text()}")
            time.sleep(0.02)
        return _process_cpu(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _healthz(port: int) -> Callable[[subprocess.Popen[bytes], Path], bool]:
    def ready(process: subprocess.Popen[bytes], log: Path) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    return ready


def _worker_started(process: subprocess.Popen[bytes], log: Path) -> bool:
    return "workers started" in log.read_text(errors="replace")


def measure(against: str, rounds: int) -> tuple[str, str]:
    """The direct table and the comparison table."""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="heard-bench-start-") as tmp:
        root = Path(tmp)
        trees = {"now": REPO, "before": checkout(against, root / "before")}
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HEARD_", "DATABASE_"))}

        def env_for(which: str) -> dict[str, str]:
            return env | {"HEARD_DATA_DIR": str(root / f"data-{which}")}

        for which, tree in trees.items():
            # Untimed: trains and caches the classifier, makes the database.
            cpu_seconds(tree, *CHAT, env_for(which))
        times: dict[tuple[str, str], list[float]] = {}
        for _ in range(rounds):
            for name, (args, stdin) in DIRECT.items():
                for which, tree in trees.items():
                    if which == "before" and name not in COMPARED:
                        continue
                    times.setdefault((name, which), []).append(
                        cpu_seconds(tree, args, stdin, env_for(which))
                    )
            port = _free_port()
            times.setdefault(("`heard run` until `/healthz` answers", "now"), []).append(
                cpu_until_ready(
                    ["run", "--port", str(port)], env_for("now"), _healthz(port), root / "run.log"
                )
            )
            times.setdefault(("`heard worker` until it is ready", "now"), []).append(
                cpu_until_ready(["worker"], env_for("now"), _worker_started, root / "worker.log")
            )
    load_after = os.getloadavg()[0]
    load = f"load average (1 min) before / after: {load_before:.1f} / {load_after:.1f}"
    direct = [
        "| command | CPU seconds (median) | min | max |",
        "|---|---|---|---|",
    ]
    for (name, which), values in times.items():
        if which == "now":
            direct.append(
                f"| {name} | {statistics.median(values):.2f} | {min(values):.2f} "
                f"| {max(values):.2f} |"
            )
    direct.append(f"| {load}, {rounds} rounds | | | |")
    compared = [
        f"| command | before ({against}) | now | now / before |",
        "|---|---|---|---|",
    ]
    for name in COMPARED:
        before = statistics.median(times[(name, "before")])
        now = statistics.median(times[(name, "now")])
        compared.append(f"| {name} | {before:.2f} | {now:.2f} | {now / before:.2f} |")
    compared.append(f"| {load}, {rounds} rounds, medians | | | |")
    return "\n".join(direct), "\n".join(compared)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--against", default=BASELINE)
    args = parser.parse_args(argv)
    direct, compared = measure(args.against, args.rounds)
    text = (
        "## Command start, CPU seconds (python -m bench.startup)\n\n"
        f"{direct}\n\n### Against {args.against}, same rounds\n\n{compared}\n"
    )
    print(text)
    out = Path(__file__).parent / "results" / "startup.md"
    out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
