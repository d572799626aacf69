"""One definition each: the closed vocabularies (`Register`, `Purpose`, `Channel`) live in
`bot/terms.py` alone, and only `bot/config.py` reads the environment (everything else is given
its settings). Read from the source of `bot/` and `storage/` with `ast`."""

from __future__ import annotations

import ast
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
SOURCES = sorted(p for root in ("bot", "storage") for p in (REPOSITORY / root).rglob("*.py"))
VOCABULARIES = frozenset({"Register", "Purpose", "Channel"})
ENVIRONMENT = frozenset({"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"})


def definitions(path: Path, root: Path = REPOSITORY) -> list[str]:
    """`file: name` for module-level assignments or classes named like a shared vocabulary."""
    found: list[str] = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if isinstance(node, ast.ClassDef):
            names = [node.name]
        found += [f"{path.relative_to(root)}: {n}" for n in names if n in VOCABULARIES]
    return found


def environment_reads(path: Path, root: Path = REPOSITORY) -> list[str]:
    """`file:line: how` for every read of the process environment."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute) and node.attr in ENVIRONMENT:
            found.append(f"{where}: {ast.unparse(node)}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            names = sorted({alias.name for alias in node.names} & ENVIRONMENT)
            found += [f"{where}: from os import {name}" for name in names]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if "dotenv" in modules or getattr(node, "module", None) == "dotenv":
                found.append(f"{where}: dotenv")
    return sorted(found)


def test_each_vocabulary_is_defined_once_in_bot_terms() -> None:
    found = sorted(d for path in SOURCES for d in definitions(path))
    assert found == sorted(f"bot/terms.py: {name}" for name in VOCABULARIES)


def test_only_config_reads_the_environment() -> None:
    config = REPOSITORY / "bot" / "config.py"
    assert [r for path in SOURCES if path != config for r in environment_reads(path)] == []
    assert environment_reads(config), "bot/config.py reads the environment"


def test_the_checks_find_what_they_should(tmp_path: Path) -> None:
    source = tmp_path / "x.py"
    source.write_text(
        "import os\nfrom os import getenv\n"
        "a = os.environ.get('A')\nb = os.getenv('B')\nc = getenv('C')\n"
        "Register = str\nclass Channel: ...\n",
        encoding="utf-8",
    )
    assert environment_reads(source, tmp_path) == [
        "x.py:2: from os import getenv",
        "x.py:3: os.environ",
        "x.py:4: os.getenv",
    ]
    assert definitions(source, tmp_path) == ["x.py: Register", "x.py: Channel"]
