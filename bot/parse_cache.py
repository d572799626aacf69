"""Parsed YAML and passed checks kept on disk, keyed by a hash of the content, so a process
starts without parsing and validating what an earlier one already did (as the classifier is
kept in `nlu-cache`).

Only JSON is stored (never pickle), so reading the cache runs no code from it; a document is
stored only when JSON gives it back exactly (no dates, no non-string keys), otherwise it is
parsed every time. An entry is written to a temporary name and renamed, so a reader never sees
half of one; an entry that does not read is ignored and the file is parsed again. Any change to
a file, to PyYAML's version or to `FORMAT` gives a new key: the cache needs no invalidation
and old entries are only dead weight (a few hundred kilobytes per version of the files).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

log = logging.getLogger("heard")

# Bump when what a loader makes of the same text changes (a new resolver, say).
FORMAT = "heard-parse-1"


def _key(*parts: str) -> str:
    digest = hashlib.sha256(FORMAT.encode())
    for part in parts:
        digest.update(b"\0")
        digest.update(part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:40]


class ParseCache:
    """A directory of parsed documents (`<key>.json`) and of passed checks (`<key>.ok`)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def load_yaml(self, text: str, loader: type[yaml.SafeLoader]) -> Any:
        """`yaml.load(text, Loader=loader)`, read from the cache when this text was parsed
        before by the same loader. A YAML error is raised as `yaml.load` raises it."""
        name = f"{loader.__module__}.{loader.__qualname__}"
        path = self.directory / f"{_key('yaml', name, yaml.__version__, text)}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        data = yaml.load(text, Loader=loader)  # a SafeLoader subclass: no object tags
        try:
            dumped = json.dumps(data, ensure_ascii=False)
        except (TypeError, ValueError):
            return data  # a date or another type JSON does not have: parsed every time
        if json.loads(dumped) == data:
            self._write(path, dumped)
        return data

    def computed(
        self,
        step: str,
        content: object,
        compute: Callable[[], Any],
        code: Sequence[ModuleType] = (),
    ) -> Any:
        """`compute()`, a JSON value worked out by `step` from `content` (anything JSON can
        write) and the source of the modules in `code` alone, read from the cache when the
        same step ran on the same content with the same code before: a change to any of those
        files computes it again. `compute()`'s value is stored only when JSON gives it back
        exactly, and the caller gets the same value either way."""
        sources = [Path(module.__file__ or "").read_text(encoding="utf-8") for module in code]
        key = json.dumps([sources, content], ensure_ascii=False, sort_keys=True)
        path = self.directory / f"{_key('computed', step, key)}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        data = compute()
        try:
            dumped = json.dumps(data, ensure_ascii=False)
        except (TypeError, ValueError):
            return data
        if json.loads(dumped) == data:
            self._write(path, dumped)
        return data

    def passed(self, check: str, *content: str) -> bool:
        """Whether `check` passed on this exact content before (see `mark_passed`)."""
        return (self.directory / f"{_key('check', check, *content)}.ok").is_file()

    def mark_passed(self, check: str, *content: str) -> None:
        self._write(self.directory / f"{_key('check', check, *content)}.ok", "")

    def _write(self, path: Path, text: str) -> None:
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:  # a read-only data directory: parse every time
            log.debug("parse cache not written (%s)", type(exc).__name__)
