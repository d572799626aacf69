"""Moving flow files written for an older `spec_version` forward to the current one.

`MIGRATIONS[n]` takes a flow document at version `n` and returns it at version `n + 1`; the
loader applies them in order before the schema check, so content written for an older engine
keeps working. A migration must be pure (dict in, new dict out) and must set `spec_version`.
There are none yet: version 1 is the first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CURRENT_SPEC_VERSION = 1

Document = dict[str, Any]

MIGRATIONS: dict[int, Callable[[Document], Document]] = {}


class VersionError(ValueError):
    """The document's spec_version cannot be brought to the current version."""


def migrate(data: Document) -> Document:
    version = data.get("spec_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise VersionError(f"spec_version must be a whole number (current: {CURRENT_SPEC_VERSION})")
    while version < CURRENT_SPEC_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise VersionError(
                f"spec_version {version} is not supported (current: {CURRENT_SPEC_VERSION})"
            )
        data = step(data)
        version = data["spec_version"]
    if version != CURRENT_SPEC_VERSION:
        raise VersionError(
            f"spec_version {version} is not supported (current: {CURRENT_SPEC_VERSION})"
        )
    return data
