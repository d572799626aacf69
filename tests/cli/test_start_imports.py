"""A `heard` command imports only what it uses, so it starts fast: `heard --help` imports none
of the libraries below, nor YAML; `heard lint` never imports SQLAlchemy, Alembic, NumPy, SciPy,
scikit-learn or the channel libraries; `heard nlu parse` with the classifier cached on disk
imports no training, storage or channel code; and `heard chat` no migration, training, channel
or schema-checking code once the flows it reads passed before (bot.parse_cache). (The CPU
figures are in the README, "Command start".)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("sqlalchemy", "alembic", "scipy", "sklearn", "telegram", "twilio", "httpx", "uvicorn")
PROBE = (
    "import sys\n"
    "from bot.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "heavy = {m.split('.')[0] for m in sys.modules} & set(sys.argv[0].split(','))\n"
    "print('HEAVY', ','.join(sorted(heavy)), file=sys.stderr)\n"
    "raise SystemExit(code)\n"
)


def heavy_imports(args: list[str], data_dir: Path, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEARD_", "DATABASE_URL"))}
    env.update(HEARD_DATA_DIR=str(data_dir), HEARD_SECRET_KEY="t" * 43, RASA_URL="")
    done = subprocess.run(
        [sys.executable, "-c", PROBE.replace("sys.argv[0]", repr(",".join(heavy))), *args],
        capture_output=True, text=True, env=env, timeout=300, check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    [line] = [line for line in done.stderr.splitlines() if line.startswith("HEAVY")]
    return [name for name in line.removeprefix("HEAVY").strip().split(",") if name]


def test_help_imports_nothing_heavy(tmp_path: Path) -> None:
    """Read from `python -X importtime`, which lists every module the process imported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEARD_", "DATABASE_URL"))}
    env.update(HEARD_DATA_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot.cli", "--help"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert done.returncode == 0 and "heard" in done.stdout
    imported = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "bot" in imported  # the listing is read right
    assert imported.isdisjoint({*HEAVY, "numpy", "yaml", "jsonschema", "fastapi", "starlette"})


def test_lint_imports_nothing_heavy(tmp_path: Path) -> None:
    assert heavy_imports(["lint"], tmp_path, (*HEAVY, "numpy")) == []


def test_nlu_parse_with_a_cached_classifier_imports_no_training_or_storage(
    tmp_path: Path,
) -> None:
    heavy_imports(["nlu", "parse", "hello"], tmp_path)  # trains once and fills the disk cache
    found = heavy_imports(["nlu", "parse", "hello"], tmp_path)
    # Not even SciPy: the parser reads the training matrix's arrays with NumPy alone.
    assert found == []


def test_chat_imports_no_migration_training_or_provider_code(tmp_path: Path) -> None:
    """`heard chat` with the classifier cached and the database at its head: SQLAlchemy, but
    no Alembic (nothing to migrate), SciPy, scikit-learn or a provider's client library."""
    heavy_imports(["chat"], tmp_path)  # trains once, migrates the new database, checks flows
    found = heavy_imports(
        ["chat", "--channel", "sms", "--from", "+447700900123"], tmp_path, (*HEAVY, "jsonschema")
    )
    assert found == ["sqlalchemy"]
