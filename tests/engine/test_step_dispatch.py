"""Step dispatch is exhaustive: `Step` is a closed union, and the engine's `run_step` and the
validator's `exits` match on it with `assert_never`, so a step type without a handler is a
mypy error, not a `KeyError` in someone's conversation."""

from __future__ import annotations

import ast
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from bot.flowspec import model

REPOSITORY = Path(__file__).resolve().parents[2]
STEP_TYPES = {cls.__name__ for cls in typing.get_args(model.Step)}


def cases_of(path: Path, function: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    [found] = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function]
    return {
        node.cls.id
        for node in ast.walk(found)
        if isinstance(node, ast.MatchClass) and isinstance(node.cls, ast.Name)
    }


@pytest.mark.parametrize(
    ("path", "function"),
    [("bot/engine/steps.py", "run_step"), ("bot/flowspec/checks.py", "exits")],
)
def test_every_step_type_has_a_case(path: str, function: str) -> None:
    assert cases_of(REPOSITORY / path, function) == STEP_TYPES


def test_mypy_refuses_a_dispatch_that_misses_a_step_type(tmp_path: Path) -> None:
    snippet = tmp_path / "dispatch.py"
    snippet.write_text(
        "from typing import assert_never\n\n"
        "from bot.flowspec.model import SendStep, Step\n\n\n"
        "def run(step: Step) -> str:\n"
        "    match step:\n"
        "        case SendStep():\n"
        "            return step.next\n"
        "        case _:\n"
        "            assert_never(step)\n",
        encoding="utf-8",
    )
    found = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
         "--cache-dir", str(tmp_path / "cache"), str(snippet)],
        cwd=REPOSITORY, capture_output=True, text=True, check=False,
    )
    assert found.returncode == 1, found.stdout
    assert 'Argument 1 to "assert_never" has incompatible type' in found.stdout
    assert "AskStep" in found.stdout and "EndStep" in found.stdout
