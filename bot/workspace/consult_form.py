"""The consultation editor's form: every text as its own field, per language and register, so
a coordinator writes a consultation without any markup.

Field names: `title.<lang>.<register>`; `q.<n>.kind` (open | choice | remove),
`q.<n>.skippable`, `q.<n>.text.<lang>.<register>`; `q.<n>.c.<m>.value`,
`q.<n>.c.<m>.text.<lang>.<register>`; `questions` and `q.<n>.choices` say how many slots the
page showed. `body` reads them back into the API's body (leniently: a blank choice slot or a
language left empty is left out, so the checks name what is missing); `fields` is the reverse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from bot.terms import REGISTERS
from bot.workspace.consult import ConsultationIn, Issue, pydantic_where

KINDS = ("open", "choice")
NEW_CHOICES = 2  # a new choice question starts with this many blank choices
MAX_SLOTS = 30


def _count(get: Callable[[str], str], name: str, default: int) -> int:
    try:
        return max(0, min(MAX_SLOTS, int(get(name) or default)))
    except ValueError:
        return default


def _texts(get: Callable[[str], str], prefix: str, codes: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for code in codes:
        wording = {reg: get(f"{prefix}.{code}.{reg}").strip() for reg in REGISTERS}
        if any(wording.values()):
            out[code] = wording
    return out


def body(form: Mapping[str, str], codes: Sequence[str]) -> dict[str, Any]:
    """The API body the form describes (not yet validated)."""

    def get(name: str) -> str:
        return str(form.get(name, ""))

    questions = []
    for n in range(1, _count(get, "questions", 0) + 1):
        kind = get(f"q.{n}.kind")
        if kind not in KINDS:
            continue  # "remove", or a slot the page did not show
        choices = []
        for m in range(1, _count(get, f"q.{n}.choices", 0) + 1):
            value = get(f"q.{n}.c.{m}.value").strip()
            texts = _texts(get, f"q.{n}.c.{m}.text", codes)
            if value or texts:
                choices.append({"value": value, "text": texts})
        questions.append(
            {
                "kind": kind,
                "skippable": get(f"q.{n}.skippable") == "yes",
                "text": _texts(get, f"q.{n}.text", codes),
                "choices": choices if kind == "choice" else [],
            }
        )
    return {
        "keyword": get("keyword").strip(),
        "opens_at": get("opens_at") or None,
        "closes_at": get("closes_at") or None,
        "title": _texts(get, "title", codes),
        "questions": questions,
    }


def draft(
    form: Mapping[str, str], codes: Sequence[str]
) -> tuple[ConsultationIn | None, list[Issue]]:
    try:
        return ConsultationIn.model_validate(body(form, codes)), []
    except ValidationError as exc:
        return None, [
            Issue(
                "error", pydantic_where(err["loc"]), None, None, "FORM",
                f"{'.'.join(str(x) for x in err['loc'][2:] or err['loc'])}: {err['msg']}",
            )
            for err in exc.errors()
        ]


def with_slot(data: dict[str, Any], action: str) -> dict[str, Any]:
    """The body with a blank question (`add_question`) or a blank choice (`add_choice:<n>`)."""
    questions = list(data.get("questions") or [])
    if action == "add_question":
        questions.append({"kind": "open", "skippable": True, "text": {}, "choices": []})
    elif action.startswith("add_choice:"):
        try:
            n = int(action.split(":", 1)[1]) - 1
        except ValueError:
            return data
        if 0 <= n < len(questions):
            question = dict(questions[n])
            question["kind"] = "choice"
            choices = list(question.get("choices") or [])
            blank = max(1, NEW_CHOICES - len(choices))
            question["choices"] = choices + [{"value": "", "text": {}}] * blank
            questions[n] = question
    return {**data, "questions": questions}


def fields(data: Mapping[str, Any]) -> dict[str, str]:
    """The form's field values for an API body (or a stored draft's `model_dump`)."""
    out: dict[str, str] = {
        "keyword": str(data.get("keyword") or ""),
        "opens_at": _local(data.get("opens_at")),
        "closes_at": _local(data.get("closes_at")),
    }
    _put_texts(out, "title", data.get("title") or {})
    questions = data.get("questions") or []
    out["questions"] = str(len(questions))
    for n, question in enumerate(questions, start=1):
        out[f"q.{n}.kind"] = str(question.get("kind") or "open")
        out[f"q.{n}.skippable"] = "yes" if question.get("skippable", True) else ""
        _put_texts(out, f"q.{n}.text", question.get("text") or {})
        choices = question.get("choices") or []
        out[f"q.{n}.choices"] = str(len(choices))
        for m, choice in enumerate(choices, start=1):
            out[f"q.{n}.c.{m}.value"] = str(choice.get("value") or "")
            _put_texts(out, f"q.{n}.c.{m}.text", choice.get("text") or {})
    return out


def _put_texts(out: dict[str, str], prefix: str, texts: Mapping[str, Any]) -> None:
    for code, wording in texts.items():
        for reg in REGISTERS:
            value = wording.get(reg) if isinstance(wording, Mapping) else getattr(wording, reg, "")
            out[f"{prefix}.{code}.{reg}"] = str(value or "")


def _local(value: Any) -> str:
    """A time for a datetime-local field (as given when it is already text)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value[:16]
    return str(value.strftime("%Y-%m-%dT%H:%M"))


def layout(values: Mapping[str, str]) -> list[dict[str, Any]]:
    """The questions and their choice slots the page shows, from the field values."""
    shown = []
    for n in range(1, _count(values.get, "questions", 0) + 1):  # type: ignore[arg-type]
        count = _count(values.get, f"q.{n}.choices", 0)  # type: ignore[arg-type]
        shown.append({"n": n, "choices": list(range(1, count + 1))})
    return shown
