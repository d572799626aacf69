"""Load Heard's intent examples from Rasa 3.1 YAML (`nlu_data/<language>.yml`).

Each file holds one language, named by the file's stem (`pl.yml` -> `pl`; a stem such as
`nlu_pl` also works: the last `_`/`-`/`.` separated part is used). Only `intent` items are
read; synonyms, lookups and regexes are ignored. Entity markup `[text](type)` (and the
`[text]{...}` form) is reduced to its text. Example order within a file is kept: the held-out
split (`bot.nlu.split`) depends on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.yamlio import safe_load

_ENTITY = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
_SEPARATORS = re.compile(r"[_\-.]")


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    language: str


class TrainingDataError(ValueError):
    """A training file is not Rasa 3.1 NLU YAML; the message names the file."""


def strip_entities(text: str) -> str:
    return _ENTITY.sub(r"\1", text)


def example_lines(block: str) -> list[str]:
    """The texts of an `examples: |` block: every line starting with `- `, in order."""
    lines = (line.strip() for line in block.splitlines())
    return [line[2:].strip() for line in lines if line.startswith("- ") and line[2:].strip()]


def language_of(path: Path) -> str:
    return _SEPARATORS.split(path.stem)[-1].lower()


def load_file(path: Path) -> list[Example]:
    try:
        doc = safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise TrainingDataError(f"{path}: not YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise TrainingDataError(f"{path}: expected a mapping with an `nlu:` list")
    items = doc.get("nlu") or []
    if not isinstance(items, list):
        raise TrainingDataError(f"{path}: `nlu:` must be a list")
    language = language_of(path)
    examples: list[Example] = []
    for item in items:
        if not isinstance(item, dict) or "intent" not in item:
            continue
        block = item.get("examples") or ""
        if not isinstance(block, str):
            raise TrainingDataError(f"{path}: intent {item['intent']}: `examples` must be text")
        examples.extend(
            Example(strip_entities(text), str(item["intent"]), language)
            for text in example_lines(block)
        )
    return examples


def data_files(directory: Path) -> list[Path]:
    """The YAML files in `directory` that hold NLU examples, in a stable order."""
    files = sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")])
    return [f for f in files if _has_nlu(f)]


def _has_nlu(path: Path) -> bool:
    return any(line.startswith("nlu:") for line in path.read_text(encoding="utf-8").splitlines())


def load_directory(directory: Path) -> list[Example]:
    return [example for path in data_files(directory) for example in load_file(path)]


def languages(examples: Iterable[Example]) -> list[str]:
    return sorted({e.language for e in examples})


def by_language(examples: Iterable[Example], language: str) -> Iterator[Example]:
    return (e for e in examples if e.language == language)
