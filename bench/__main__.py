"""`make bench`: every benchmark in turn; tables go to stdout and to bench/results/."""

from __future__ import annotations

import importlib
import sys

SUITES = (
    "bench.startup",
    "bench.turns",
    "bench.pipeline",
    "bench.claims",
    "bench.hotpath",
    "bench.workspace",
)


def main() -> int:
    for name in SUITES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            print(f"{name}: not present, skipped")
            continue
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
