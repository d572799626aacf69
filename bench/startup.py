"""Command start-up in CPU seconds: `heard chat` through its first reply, and `heard lint`.

Each command runs as a deployment runs it (`python -m bot.cli ...`, a fresh process, the
classifier already cached on disk by an untimed first run), timed by the CPU the child used
(user + system, `RUSAGE_CHILDREN`), never wall time, which on a shared machine measures the
neighbours. The same commands of an earlier revision (checked out with `git archive`) run in the
same rounds, interleaved, so the ratio holds however loaded the machine is; the load average is
printed beside it.

Run: `python -m bench.startup [--rounds N] [--against REV]`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.turns import REPO, checkout

# The code before the start-up work (deferred imports, Alembic skipped at the head, no SciPy
# to parse).
BASELINE = "713fbe7"
CHAT = (["chat", "--channel", "sms", "--from", "+447700900123"], "hello\n")
COMMANDS: dict[str, tuple[list[str], str]] = {
    "`heard chat` (SMS), start to first reply": CHAT,
    "`heard chat` (SMS), start only (no input)": (CHAT[0], ""),
    "`heard lint`": (["lint"], ""),
}


def cpu_seconds(tree: Path, args: list[str], stdin: str, env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=tree, env=env, input=stdin.encode(), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(against: str, rounds: int) -> str:
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="heard-bench-start-") as tmp:
        root = Path(tmp)
        trees = {"now": REPO, "before": checkout(against, root / "before")}
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HEARD_", "DATABASE_"))}
        times: dict[tuple[str, str], list[float]] = {}
        for which, tree in trees.items():
            # Untimed: trains and caches the classifier, makes the database.
            run_env = env | {"HEARD_DATA_DIR": str(root / f"data-{which}")}
            cpu_seconds(tree, *CHAT, run_env)
        for _ in range(rounds):
            for name, (args, stdin) in COMMANDS.items():
                for which, tree in trees.items():
                    run_env = env | {"HEARD_DATA_DIR": str(root / f"data-{which}")}
                    times.setdefault((name, which), []).append(
                        cpu_seconds(tree, args, stdin, run_env)
                    )
    load_after = os.getloadavg()[0]
    rows = [
        f"| command | before ({against}) | now | now / before |",
        "|---|---|---|---|",
    ]
    for name in COMMANDS:
        before = statistics.median(times[(name, "before")])
        now = statistics.median(times[(name, "now")])
        rows.append(f"| {name} | {before:.2f} | {now:.2f} | {now / before:.2f} |")
    rows.append(
        f"| load average (1 min) before / after, {rounds} rounds, medians "
        f"| {load_before:.1f} / {load_after:.1f} | | |"
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--against", default=BASELINE)
    args = parser.parse_args(argv)
    table = measure(args.against, args.rounds)
    print("## Command start, CPU seconds (python -m bench.startup)\n")
    print(table)
    out = Path(__file__).parent / "results" / "startup.md"
    out.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
