"""One finding of a static check. Flow validation and catalogue lint both report these, so
`heard lint` prints and counts them the same way: `file:location: [rule] message`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, order=True)
class Problem:
    severity: Severity
    file: str  # path relative to the repository when possible
    location: str  # a step id, "message <id> [<lang>/<register>]", or "" for the whole file
    rule: str  # "FLOW-…" for flow checks, "ER-xx" for easy-read rules, "CAT-…" for catalogue
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.location}" if self.location else self.file
        return f"{where}: {self.severity}: [{self.rule}] {self.message}"
