"""Imports run one way: each part of `bot/` imports only parts of its own layer or below
(docs/DESIGN.md, "Layers"), `storage/` imports nothing of `bot/`, and nothing loads one of our
modules by name (`importlib.import_module`, `__import__`): what a module needs is an import
anyone can read at the top of it, or an argument.

Read from the source with `ast`, so an import inside a function (a lazy import) counts too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
ROOTS = ("bot", "storage")

# Lowest first. A part may import its own layer and every layer below it, never above.
# `bot` is the package itself (its version); `storage` stands apart: it imports nothing of `bot`.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"bot", "bot.terms", "bot.yamlio", "bot.parse_cache", "bot.clock", "bot.logs"}),
    frozenset({"bot.catalogue"}),  # the messages and per-language data
    frozenset({"bot.flowspec"}),  # the flow format, its problems and the text-id contract
    frozenset({"bot.engine"}),  # pure: no I/O
    frozenset({"bot.nlu", "bot.render"}),  # understanding text; rendering for a channel
    frozenset({"bot.config"}),  # settings from the environment (the only reader of it)
    frozenset({"bot.service", "bot.views"}),  # the host of a turn; views for coordinators
    frozenset({"bot.runtime"}),  # builds the parts from the settings
    # The edges: channels, the queues between them and the engine, the web app, commands.
    frozenset(
        {"bot.channels", "bot.inbox", "bot.outbox", "bot.web", "bot.export", "bot.chat"}
        | {"bot.workers", "bot.retention", "bot.lint", "bot.keys", "bot.export_cli"}
        | {"bot.workspace"}
        | {"bot.translations"}
        | {"bot.updates"}  # "you said, we did": written in the workspace, fanned out by workers
    ),
    frozenset({"bot.app"}),
    frozenset({"bot.cli"}),
)
# Loading a module by name hides an import from this test and from every reader.
HIDDEN_IMPORTS = frozenset({"import_module", "__import__", "find_spec", "spec_from_file_location"})


@dataclass(frozen=True)
class Import:
    where: str  # file:line
    source: str  # the importing part ("bot.engine", "storage")
    target: str  # the imported part


def part(module: str) -> str | None:
    """The part a module belongs to: `bot.<name>` (package or module), `bot`, `storage`; None
    for anything not ours."""
    names = module.split(".")
    if names[0] == "storage":
        return "storage"
    if names[0] == "bot":
        return "bot" if len(names) == 1 else f"bot.{names[1]}"
    return None


def module_name(path: Path) -> str:
    names = list(path.relative_to(REPOSITORY).with_suffix("").parts)
    return ".".join(names[:-1] if names[-1] == "__init__" else names)


def sources() -> Iterator[Path]:
    for root in ROOTS:
        yield from sorted((REPOSITORY / root).rglob("*.py"))


def imports_of(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every import in a file, absolute or relative."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield node.lineno, target
            if target in ROOTS:  # `from bot import engine` names a part, `__version__` none
                for alias in node.names:
                    inside = REPOSITORY / target / alias.name
                    if inside.is_dir() or inside.with_suffix(".py").is_file():
                        yield node.lineno, f"{target}.{alias.name}"


def all_imports() -> list[Import]:
    found: list[Import] = []
    for path in sources():
        source = part(module_name(path))
        assert source is not None
        for line, target_module in imports_of(path):
            target = part(target_module)
            if target is not None and target != source:
                where = f"{path.relative_to(REPOSITORY)}:{line}"
                found.append(Import(where, source, target))
    return found


def layer_of(name: str) -> int | None:
    return next((i for i, layer in enumerate(LAYERS) if name in layer), None)


def upward(imports: list[Import]) -> list[str]:
    problems: list[str] = []
    for imp in imports:
        if imp.source == "storage" or imp.target == "storage":
            if imp.source == "storage":
                problems.append(f"{imp.where}: storage imports {imp.target}")
            continue
        low, high = layer_of(imp.target), layer_of(imp.source)
        if low is None or high is None:
            unknown = imp.source if high is None else imp.target
            problems.append(f"{imp.where}: {unknown} has no layer: add it to LAYERS")
        elif low > high:
            problems.append(f"{imp.where}: {imp.source} imports {imp.target}, a layer above it")
    return sorted(set(problems))


def hidden(path: Path, root: Path = REPOSITORY) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        name = None
        if isinstance(node, ast.Attribute) and node.attr in HIDDEN_IMPORTS:
            name = node.attr
        elif isinstance(node, ast.Name) and node.id in HIDDEN_IMPORTS:
            name = node.id
        elif isinstance(node, ast.ImportFrom) and node.module and "importlib" in node.module:
            names = {alias.name for alias in node.names}
            name = next(iter(sorted(names & HIDDEN_IMPORTS)), None)
        if name:
            found.append(f"{path.relative_to(root)}:{node.lineno}: {name}")
    return found


def test_every_part_of_bot_has_a_layer() -> None:
    parts = {part(module_name(path)) for path in sources()} - {"storage"}
    assert sorted(p for p in parts if p is not None and layer_of(p) is None) == []


def test_no_import_runs_upward_and_storage_stands_apart() -> None:
    assert upward(all_imports()) == []


def test_nothing_is_loaded_by_name() -> None:
    assert [h for path in sources() for h in hidden(path)] == []


@pytest.mark.parametrize(
    ("imp", "problem"),
    [
        (Import("bot/flowspec/x.py:1", "bot.flowspec", "bot.lint"), "a layer above it"),
        (Import("bot/engine/x.py:1", "bot.engine", "bot.nlu"), "a layer above it"),
        (Import("storage/x.py:1", "storage", "bot.config"), "storage imports bot.config"),
        (Import("bot/new/x.py:1", "bot.new", "bot.engine"), "bot.new has no layer"),
    ],
)
def test_the_check_catches_what_it_should(imp: Import, problem: str) -> None:
    [found] = upward([imp])
    assert problem in found


def test_the_check_allows_downward_and_peer_imports() -> None:
    allowed = [
        Import("bot/lint/x.py:1", "bot.lint", "bot.flowspec"),
        Import("bot/nlu/x.py:1", "bot.nlu", "bot.render"),
        Import("bot/runtime.py:1", "bot.runtime", "storage"),
    ]
    assert upward(allowed) == []


def test_a_hidden_import_is_found(tmp_path: Path) -> None:
    source = tmp_path / "bot" / "x.py"
    source.parent.mkdir()
    source.write_text(
        "import importlib\nfrom importlib import import_module\n"
        "m = importlib.import_module('bot.lint')\nn = __import__('bot.nlu')\n",
        encoding="utf-8",
    )
    assert hidden(source, tmp_path) == [
        "bot/x.py:2: import_module",
        "bot/x.py:3: import_module",
        "bot/x.py:4: __import__",
    ]
