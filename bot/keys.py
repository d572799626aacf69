"""`heard keys rotate`: re-encrypts everything older keys of the keyring made under the newest
key, and seals people's words stored before data keys existed, in batches, printing progress
(storage.repositories.keys has the rules). Safe to kill and run again; the service keeps running
meanwhile. Prints counts only, never content."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any, TextIO

from storage.repositories.keys import ROTATED_TABLES
from storage.unit_of_work import Store


def rotate_keys(store: Store, out: TextIO, *, batch: int = 500, pause: float = 0.0) -> Counter[str]:
    """Rotates every table in batches of `batch` rows, sleeping `pause` seconds between
    batches (to spare a busy database). Returns the totals: scanned, rotated, unreadable,
    conflicts."""
    totals: Counter[str] = Counter()
    for table in ROTATED_TABLES:
        after: Any = None
        counts: Counter[str] = Counter()
        while True:
            with store.unit_of_work() as uow:
                done = uow.keys.rotate_batch(table, after, batch)
                uow.commit()
            if done.scanned == 0:
                break
            after = done.last
            counts.update(
                scanned=done.scanned,
                rotated=done.rotated,
                unreadable=done.unreadable,
                conflicts=done.conflicts,
            )
            out.write(f"{table}: {_counts(counts)}\n")
            out.flush()
            if done.scanned < batch:
                break
            if pause > 0:
                time.sleep(pause)
        totals.update(counts)
    out.write(f"done: {_counts(totals)}\n")
    out.flush()
    return totals


def _counts(counts: Counter[str]) -> str:
    text = f"{counts['scanned']} scanned, {counts['rotated']} re-encrypted"
    if counts["unreadable"]:
        text += f", {counts['unreadable']} unreadable under every key"
    if counts["conflicts"]:
        text += f", {counts['conflicts']} addresses already held by another person"
    return text
