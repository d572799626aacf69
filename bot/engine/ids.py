"""Id factories injected into the engine, so tests get the same ids every run."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable

IdFactory = Callable[[], str]


def random_ids() -> IdFactory:
    return lambda: uuid.uuid4().hex


def counting_ids(prefix: str = "id") -> IdFactory:
    counter = itertools.count(1)
    return lambda: f"{prefix}-{next(counter):04d}"
