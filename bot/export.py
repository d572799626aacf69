"""`heard export views`: stored views for coordinators, as CSV or JSON Lines.

CSV cells that a spreadsheet would run as a formula (starting with = + - @, tab or carriage
return) are prefixed with an apostrophe, and bidirectional control characters are shown as
visible codes: people's free text must never execute, or read as something else, in a
coordinator's spreadsheet.

Views of someone whose latest "share views" consent is a withdrawal are not exported: they told
us not to keep their answers.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, fields
from typing import Any, TextIO

from bot.config import Settings
from bot.runtime import Runtime
from storage.records import ViewRecord
from storage.unit_of_work import UnitOfWork

COLUMNS = [f.name for f in fields(ViewRecord)]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Embeddings, overrides and isolates (U+202A-202E, U+2066-2069) and the marks U+200E/U+200F.
BIDI_CONTROLS = {cp: f"[U+{cp:04X}]" for cp in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
BIDI_CONTROLS.update({0x200E: "[U+200E]", 0x200F: "[U+200F]"})


def _cell(value: Any) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    text = text.translate(BIDI_CONTROLS)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def shareable_views(uow: UnitOfWork, consultation: str | None) -> Iterator[ViewRecord]:
    """Views whose author's latest "share views" consent is still a yes."""
    allowed: dict[str, bool] = {}
    for view in uow.views.all(consultation):
        pid = view.participant_id
        if pid not in allowed:
            allowed[pid] = bool(uow.consent.latest(pid).get("share_views"))
        if allowed[pid]:
            yield view


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
    with store.unit_of_work() as uow:
        write_views(shareable_views(uow, consultation), fmt, out)
    return 0
