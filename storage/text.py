"""Free text as stored. People's messages can carry any character; PostgreSQL's text type
cannot hold NUL (U+0000), so every store replaces it with U+FFFD (the replacement character)
rather than fail the turn. Everything else is kept exactly."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

NUL = "\x00"
REPLACEMENT = "\ufffd"


def storable(value: str) -> str:
    return value.replace(NUL, REPLACEMENT)


class FreeText(TypeDecorator[str]):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else storable(str(value))
