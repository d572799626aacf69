"""Which catalogue texts are questions, and which choices an SMS shows after them.

Read straight from the flow files' documented shape (`docs/DESIGN.md`), so the SMS size check
works whether or not the flows are otherwise valid: a malformed step is passed over here and
reported by the flow validator. Questions the engine asks by itself (DELETE, safeguarding, the
language menu) are added from the contract, because no flow file names them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.yamlio import safe_load

YES_NO = ("common.yes", "common.no")
SKIP = "common.prefer_not_to_say"
REGISTER_CHOICES = ("common.register_standard", "common.register_easy")
SCALE_LABELS = ("1", "2", "3", "4", "5")


@dataclass(frozen=True)
class Question:
    text_id: str
    answer: str  # the flow's answer kind: choice, multi, yes_no, scale, language, register, ...
    option_ids: tuple[str, ...]  # text ids of the labels, in the order the engine numbers them
    skippable: bool
    file: str  # the flow file as the report shows it; "" for the engine's own questions
    step: str  # the ask step's id; "engine" for the engine's own questions


ENGINE_QUESTIONS = (
    Question("common.delete_confirm", "yes_no", YES_NO, False, "", "engine"),
    Question("safeguarding.continue", "yes_no", YES_NO, False, "", "engine"),
    Question("safeguarding.continue_follow_up", "yes_no", YES_NO, False, "", "engine"),
    Question(
        "safeguarding.check",
        "yes_no",
        ("safeguarding.check_help", "safeguarding.check_carry_on"),
        False,
        "",
        "engine",
    ),
    Question("common.language_menu", "language", (), False, "", "engine"),
)


def _option_ids(step: Mapping[str, Any]) -> tuple[str, ...]:
    answer = step.get("answer")
    if answer == "yes_no":
        return YES_NO
    if answer == "register":
        return REGISTER_CHOICES
    options = step.get("options") or []
    return tuple(str(o["text"]) for o in options if isinstance(o, dict) and "text" in o)


def _steps(path: Path) -> list[Mapping[str, Any]]:
    try:
        data = safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return []
    steps = data.get("steps") if isinstance(data, dict) else None
    return [s for s in steps if isinstance(s, dict)] if isinstance(steps, list) else []


def flow_files(flows_dir: Path) -> list[Path]:
    return sorted(flows_dir.glob("*.yaml")) if flows_dir.is_dir() else []


def read_questions(flows_dir: Path, shown_as: Path | None = None) -> dict[str, list[Question]]:
    """Text id -> every question asked with it (one text can head several questions)."""
    questions: dict[str, list[Question]] = {}
    for question in ENGINE_QUESTIONS:
        questions.setdefault(question.text_id, []).append(question)
    for path in flow_files(flows_dir):
        shown = (shown_as / path.name) if shown_as else path
        for step in _steps(path):
            if step.get("type") != "ask" or not isinstance(step.get("text"), str):
                continue
            question = Question(
                text_id=step["text"],
                answer=str(step.get("answer", "")),
                option_ids=_option_ids(step),
                skippable=bool(step.get("skippable", False)),
                file=str(shown),
                step=str(step.get("id", "?")),
            )
            questions.setdefault(question.text_id, []).append(question)
    return questions
