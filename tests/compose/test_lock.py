"""The lock files: every dependency Heard declares is pinned, within the range pyproject.toml
allows, and every install path (make, the Dockerfile, the Rasa script) uses the lock."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
HEARD_LOCK = ROOT / "lock" / "heard.txt"
RASA_LOCK = ROOT / "lock" / "rasa.txt"


def pins(path: Path) -> dict[str, Version]:
    found: dict[str, Version] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        assert sep, f"{path.name}: {line!r} is not pinned with =="
        found[canonicalize_name(name)] = Version(version)
    return found


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return [Requirement(n) for n in names]


@pytest.mark.parametrize("requirement", declared(), ids=str)
def test_every_declared_dependency_is_pinned_within_its_range(requirement: Requirement) -> None:
    locked = pins(HEARD_LOCK)
    name = canonicalize_name(requirement.name)
    assert name in locked, f"{requirement.name} is not in lock/heard.txt: run `make lock`"
    assert requirement.specifier.contains(locked[name], prereleases=True), (
        f"lock/heard.txt pins {name}=={locked[name]}, outside {requirement.specifier}"
    )


def test_the_rasa_lock_pins_the_rasa_version_the_script_installs() -> None:
    script = (ROOT / "scripts" / "rasa-service.sh").read_text(encoding="utf-8")
    match = re.search(r"RASA_VERSION=([0-9.]+)", script)
    assert match is not None
    assert pins(RASA_LOCK)[canonicalize_name("rasa")] == Version(match.group(1))


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        ("Makefile", "-c $(LOCK)"),
        ("Dockerfile", "-c lock/heard.txt"),
        ("scripts/rasa-service.sh", '-c "$RASA_LOCK"'),
    ],
)
def test_every_install_path_uses_the_lock(path: str, needle: str) -> None:
    assert needle in (ROOT / path).read_text(encoding="utf-8")
