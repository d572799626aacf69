"""What the simulator page shows: each conversation's bubbles, in this process's memory only."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Bubble:
    seq: int
    who: str  # "person" | "heard"
    text: str
    encoding: str | None = None  # SMS replies: "GSM-7" | "UCS-2"
    segments: int | None = None
    buttons: list[list[str]] = field(default_factory=list)  # Telegram replies

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class SimulatorHub:
    """Transcripts by (rendering, address), shared by the routes and the sender. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seq = 0
        self._transcripts: dict[tuple[str, str], list[Bubble]] = {}

    def add(self, kind: str, address: str, **fields: Any) -> Bubble:
        with self._lock:
            self._seq += 1
            bubble = Bubble(self._seq, **fields)
            self._transcripts.setdefault((kind, address), []).append(bubble)
            return bubble

    def transcript(self, kind: str, address: str, after: int = 0) -> list[Bubble]:
        with self._lock:
            return [b for b in self._transcripts.get((kind, address), []) if b.seq > after]
