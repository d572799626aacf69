"""Turns one schema-valid flow document into a `Flow`.

Only call this on a document that passed `flow.schema.json`: shapes are trusted here. Missing
optional references (an ask without `other`) become empty strings so the semantic checks can
name them; the loader never hands such a flow to the engine.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from bot.flowspec.model import (
    AnswerKind,
    AskStep,
    BranchStep,
    Case,
    ConsentStep,
    Consultation,
    EndStep,
    EnterStep,
    Flow,
    FlowKind,
    HandoverStep,
    JoinGroupStep,
    Option,
    SendStep,
    SetStep,
    Step,
    Store,
)
from bot.terms import Purpose


def _when(raw: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in raw) if isinstance(raw, list) else (str(raw),)


def build_step(raw: dict[str, Any]) -> Step:
    sid = str(raw["id"])
    kind = raw["type"]
    if kind == "send":
        return SendStep(sid, raw["text"], raw["next"])
    if kind == "ask":
        return AskStep(
            id=sid,
            answer=cast(AnswerKind, raw["answer"]),
            text=raw["text"],
            save_as=raw["save_as"],
            store=cast(Store, raw["store"]),
            next=raw["next"],
            other=raw.get("other", ""),
            options=tuple(Option(str(o["value"]), o["text"]) for o in raw.get("options", ())),
            skippable=bool(raw.get("skippable", False)),
            min=raw.get("min"),
            max=raw.get("max"),
        )
    if kind == "branch":
        cases = tuple(Case(_when(c["when"]), c["next"]) for c in raw["cases"])
        return BranchStep(sid, raw["on"], cases, raw["default"])
    if kind == "set":
        return SetStep(sid, raw["field"], raw["next"], raw.get("value"), raw.get("from"))
    if kind == "consent":
        return ConsentStep(sid, cast(Purpose, raw["purpose"]), raw["from"], raw["next"])
    if kind == "join_group":
        fields = {
            key: tuple(value) if isinstance(value, list) else (value,)
            for key, value in raw["fields"].items()
        }
        return JoinGroupStep(sid, fields, raw["next"])
    if kind == "handover":
        return HandoverStep(sid, raw["next"], raw.get("text"))
    if kind == "enter":
        return EnterStep(sid, raw["flow"], raw["next"])
    if kind == "end":
        return EndStep(sid, raw.get("text"))
    raise ValueError(f"unknown step type {kind!r}")


def _instant(raw: Any) -> datetime | None:
    """An ISO 8601 time with its UTC offset (the schema holds the shape)."""
    if raw is None:
        return None
    return datetime.fromisoformat(str(raw).replace("Z", "+00:00"))


def _consultation(raw: dict[str, Any]) -> Consultation:
    version = raw.get("version")
    return Consultation(
        str(raw["id"]),
        raw["title"],
        version=int(version) if version is not None else None,
        keyword=raw.get("keyword"),
        opens=_instant(raw.get("opens")),
        closes=_instant(raw.get("closes")),
    )


def build_flow(data: dict[str, Any], source: str) -> Flow:
    steps: dict[str, Step] = {}
    for raw in data["steps"]:
        steps.setdefault(str(raw["id"]), build_step(raw))  # duplicates are reported elsewhere
    consultation = data.get("consultation")
    return Flow(
        id=data["flow"],
        kind=cast(FlowKind, data["kind"]),
        start=data["start"],
        steps=steps,
        requires_consent=tuple(cast(Purpose, p) for p in data.get("requires_consent", ())),
        consultation=_consultation(consultation) if consultation else None,
        source=source,
    )
