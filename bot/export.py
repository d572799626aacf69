"""`heard export views`: stored views for coordinators, as CSV or JSON Lines.

CSV cells that a spreadsheet would run as a formula (starting with = + - @, tab or carriage
return) are prefixed with an apostrophe: people's free text must never execute in a
coordinator's spreadsheet.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import asdict, fields
from typing import Any, TextIO

from bot.config import Settings
from bot.runtime import Runtime
from storage.records import ViewRecord

COLUMNS = [f.name for f in fields(ViewRecord)]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_views(views: Iterable[ViewRecord], fmt: str, out: TextIO) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for view in views:
            writer.writerow([_cell(getattr(view, c)) for c in COLUMNS])
            count += 1
    else:
        for view in views:
            row = asdict(view)
            row["at"] = view.at.isoformat()
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def export_views(settings: Settings, fmt: str, consultation: str | None, out: TextIO) -> int:
    store = Runtime(settings).store
    with store.repository() as repo:
        write_views(repo.views(consultation), fmt, out)
    return 0
