"""Consultations made in the workspace: what a coordinator writes, the flow document it becomes,
and its checks.

A coordinator writes a title, questions (open, or a choice between choices) and every text in
every catalogue language in both registers (standard, easy read), a keyword and optional open
and close dates (`ConsultationIn`, the API's body and the page's document). `document` turns it
into a flow document of `flows/`'s format (bot/flowspec/flow.schema.json) and its texts;
`check` runs the same checks as `heard lint` on it: the schema and the semantic checks
(bot.flowspec), easy-read rules and SMS size per text (bot.lint.easyread, bot.lint.sms_size),
option counts and label lengths (ER-20) and translation parity (ER-19: every language, both
registers, the same placeholders). Each finding names the question (or the title) and, for a
text, the language and register. A consultation with an error cannot be opened.

Stored versions (storage.repositories.consultations) hold the document; the engine gets them
through bot.service.consultations.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from bot.catalogue import Catalogue
from bot.catalogue.model import BASE_LANGUAGE, fold
from bot.config import Settings
from bot.flowspec.build import build_flow
from bot.flowspec.checks import check_flow
from bot.flowspec.model import FlowSet
from bot.flowspec.problems import Problem, Severity
from bot.flowspec.validate import schema_problems
from bot.service.consultations import flow_id, overlay, text_prefix, with_details
from bot.terms import REGISTERS
from bot.workspace import consult_reviews
from bot.workspace.web import Workspace
from storage.records import ConsultationRecord
from storage.repositories.consultations import ConsultationExists
from storage.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from bot.lint.questions import Question

KEYWORD = re.compile(r"^[a-z0-9]{3,30}$")
MAX_QUESTIONS = 30
THANKS = "hys.thanks"  # the consultation of flows/ says the same at the end
THANKS_UPDATES = "hys.thanks_updates"


class Wording(BaseModel):
    standard: str = Field(default="", max_length=1000)
    easy: str = Field(default="", max_length=1000, description="the easy-read text")


class ChoiceIn(BaseModel):
    value: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$", max_length=40,
        description="stored as the answer (a few lower-case letters, e.g. `bus`)",
    )
    text: dict[str, Wording] = Field(description="language code -> the choice's label")


class QuestionIn(BaseModel):
    kind: Literal["open", "choice"]
    text: dict[str, Wording] = Field(description="language code -> the question")
    choices: list[ChoiceIn] = Field(default_factory=list, description="choice questions: 2 to 9")
    skippable: bool = Field(default=True, description="offers 'prefer not to say'")


class ConsultationIn(BaseModel):
    keyword: str = Field(
        min_length=1, max_length=64,
        description="texting it (any case) starts the consultation; 3-30 letters or digits",
    )
    title: dict[str, Wording] = Field(description="language code -> the title (the menu)")
    questions: list[QuestionIn] = Field(min_length=1, max_length=MAX_QUESTIONS)
    opens_at: datetime | None = Field(
        default=None, description="empty: at once; a time without an offset is UTC"
    )
    closes_at: datetime | None = Field(
        default=None, description="empty: never; a time without an offset is UTC"
    )

    @field_validator("opens_at", "closes_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


@dataclass(frozen=True)
class Issue:
    severity: Severity
    where: str  # "Question 2", "Question 2, choice bus", "Title", "Keyword", "Dates"
    language: str | None
    register: str | None
    rule: str
    reason: str

    def __str__(self) -> str:
        about = ", ".join(x for x in (self.language, self.register) if x)
        return f"{self.where}{f' ({about})' if about else ''}: [{self.rule}] {self.reason}"


@dataclass(frozen=True)
class Built:
    flow: dict[str, Any]
    texts: dict[str, dict[str, dict[str, str]]]
    names: dict[str, str]  # text id or step id -> where it is, for the coordinator

    def json(self) -> str:
        return json.dumps({"flow": self.flow, "texts": self.texts}, ensure_ascii=False)


def folded_keyword(raw: str) -> str:
    return fold(raw).strip()


def new_id(keyword: str) -> str:
    """A consultation's id (stored with every view): its first keyword, fixed from then on."""
    return folded_keyword(keyword)


def _wordings(by_lang: Mapping[str, Wording]) -> dict[str, dict[str, str]]:
    return {
        code: {"standard": w.standard.strip(), "easy": w.easy.strip()}
        for code, w in by_lang.items()
    }


def document(draft: ConsultationIn, consultation_id: str, version: int) -> Built:
    """The flow document and texts of `draft` as version `version`."""
    prefix = text_prefix(consultation_id, version)
    texts: dict[str, dict[str, dict[str, str]]] = {f"{prefix}.title": _wordings(draft.title)}
    names = {f"{prefix}.title": "Title"}
    steps: list[dict[str, Any]] = []
    count = len(draft.questions)
    for n, question in enumerate(draft.questions, start=1):
        sid = f"q{n}"
        tid = f"{prefix}.{sid}"
        texts[tid] = _wordings(question.text)
        names[tid] = names[sid] = f"Question {n}"
        step: dict[str, Any] = {
            "id": sid,
            "type": "ask",
            "answer": question.kind,
            "text": tid,
            "save_as": f"ws_{consultation_id}_{sid}",
            "store": "view",
            "skippable": question.skippable,
            "next": f"q{n + 1}" if n < count else "thanks",
            "other": sid,
        }
        if question.kind == "choice":
            options = []
            for choice in question.choices:
                cid = f"{tid}.{choice.value}"
                texts[cid] = _wordings(choice.text)
                names[cid] = f"Question {n}, choice {choice.value}"
                options.append({"value": choice.value, "text": cid})
            step["options"] = options
        steps.append(step)
    steps += [
        {
            "id": "thanks",
            "type": "branch",
            "on": "deployment.sends_updates",
            "cases": [{"when": "yes", "next": "thanks_updates"}],
            "default": "thanks_plain",
        },
        {"id": "thanks_updates", "type": "end", "text": THANKS_UPDATES},
        {"id": "thanks_plain", "type": "end", "text": THANKS},
    ]
    flow = {
        "spec_version": 1,
        "flow": flow_id(consultation_id, version),
        "kind": "consultation",
        "consultation": {"id": consultation_id, "title": f"{prefix}.title", "version": version},
        "requires_consent": ["share_views"],
        "start": "q1",
        "steps": steps,
    }
    return Built(flow, texts, names)


def _where(location: str, names: Mapping[str, str]) -> tuple[str, str | None, str | None]:
    """(where, language, register) of a problem's location: a step id, or `message <text id>
    [<lang>/<register>]`."""
    found = re.match(r"^message (\S+) \[([a-z]+)(?:/([a-z]+))?\]$", location)
    if found:
        text_id, language, register = found.groups()
        return names.get(text_id, text_id), language, register
    return names.get(location, location or "Consultation"), None, None


def _issue(problem: Problem, names: Mapping[str, str]) -> Issue:
    where, language, register = _where(problem.location, names)
    reason = problem.message
    for text_id, name in sorted(names.items(), key=lambda p: -len(p[0])):
        if "." in text_id:  # a text id in the reason: say which text it is
            reason = reason.replace(f"'{text_id}'", f"the text of {name}")
    return Issue(problem.severity, where, language, register, problem.rule, reason)


def _question(ask: Mapping[str, Any]) -> Question:
    from bot.lint.questions import Question

    options = tuple(str(o["text"]) for o in ask.get("options", ()))
    return Question(
        ask["text"], ask["answer"], options, bool(ask.get("skippable")), "", str(ask["id"])
    )


def check(
    draft: ConsultationIn,
    consultation_id: str,
    version: int,
    flows: FlowSet,
    catalogue: Catalogue,
    *,
    keyword_taken: bool = False,
) -> list[Issue]:
    """Every problem of `draft` as version `version`, errors first. Empty or only warnings:
    it can be opened."""
    built = document(draft, consultation_id, version)
    names = built.names
    issues: list[Issue] = []
    keyword = folded_keyword(draft.keyword)
    if not KEYWORD.match(keyword):
        issues.append(
            Issue("error", "Keyword", None, None, "KEYWORD",
                  "use 3 to 30 letters or digits, no spaces (it is also the Telegram link)")
        )
    elif catalogue.keyword_command(keyword) is not None or keyword in _reply_words(catalogue):
        issues.append(
            Issue("error", "Keyword", None, None, "KEYWORD",
                  f"{keyword!r} is already a word people send (a command or an answer)")
        )
    if keyword_taken:
        issues.append(
            Issue("error", "Keyword", None, None, "KEYWORD",
                  f"{keyword!r} is already another consultation's keyword")
        )
    if draft.opens_at and draft.closes_at and draft.closes_at <= draft.opens_at:
        issues.append(Issue("error", "Dates", None, None, "DATES", "it closes before it opens"))
    for n, question in enumerate(draft.questions, start=1):
        if question.kind == "open" and question.choices:
            issues.append(
                Issue("error", f"Question {n}", None, None, "FLOW-OPTIONS",
                      "an open question has no choices: make it a choice question")
            )
    unknown = sorted(
        {code for wordings in built.texts.values() for code in wordings} - set(catalogue.codes)
    )
    for code in unknown:
        issues.append(
            Issue("error", "Consultation", code, None, "LANGUAGE",
                  f"{code!r} is not a language of the catalogue ({', '.join(catalogue.codes)})")
        )
    flow_doc = with_details(
        built.flow,
        keyword=keyword if KEYWORD.match(keyword) else "invalid",
        opens=draft.opens_at,
        closes=draft.closes_at,
    )
    source = f"consultation {consultation_id}"
    shape = schema_problems(flow_doc, source)
    issues += [_issue(p, names) for p in shape]
    if not shape:
        full = overlay(catalogue, built.texts)
        flow = build_flow(flow_doc, source)
        issues += [
            _issue(p, names)
            for p in check_flow(flow, FlowSet({**flows.flows, flow.id: flow}), full)
        ]
        issues += _lint(built, full, names)
    return sorted(dict.fromkeys(issues), key=lambda i: (i.severity != "error", i.where))


def _reply_words(catalogue: Catalogue) -> set[str]:
    return {
        word
        for info in catalogue.languages.values()
        for key in ("yes", "no", "skip", "cancel")
        for word in info.keywords.get(key, ())
    } | {
        word
        for info in catalogue.languages.values()
        for word in (*info.numbers, *info.greetings)  # "hi" must stay a greeting
    }


def _lint(built: Built, catalogue: Catalogue, names: Mapping[str, str]) -> list[Issue]:
    """The catalogue lint of `heard lint`, on this consultation's texts only. (Imported here:
    the lint loads the SMS renderer and word lists, which the app needs only when a
    consultation is checked.)"""
    from bot.lint.easyread import TextContext, check_text
    from bot.lint.options import option_count, option_labels
    from bot.lint.parity import parity
    from bot.lint.runner import allowed_capitals
    from bot.lint.sms_size import measure, sms_size

    issues: list[Issue] = []
    asks = [s for s in built.flow["steps"] if s["type"] == "ask"]
    questions: dict[str, list[Question]] = {}
    for ask in asks:
        questions.setdefault(ask["text"], []).append(_question(ask))
        for finding in option_count(_question(ask)):
            issues.append(
                Issue(finding.severity, names[ask["id"]], None, None, finding.rule,
                      finding.message)
            )
    capitals = allowed_capitals(catalogue)
    for text_id in built.texts:
        for code in catalogue.codes:
            entry = catalogue.entry(code, text_id)
            if entry is None:
                continue
            for register in REGISTERS:
                text = entry.variant(register)
                if not text.strip():
                    continue  # parity reports an empty register
                where = names.get(text_id, text_id)
                findings = check_text(text, TextContext(code, register, capitals))
                findings += sms_size(measure(catalogue, code, register, text_id, questions))
                for question in questions.get(text_id, []):
                    findings += option_labels(question, catalogue, code, register)
                issues += [
                    Issue(f.severity, where, code, register, f.rule, f.message)
                    for f in findings
                ]
    issues += [_issue(p, names) for p in parity(_only(catalogue, built.texts), lambda _: "")]
    return issues


def _only(catalogue: Catalogue, texts: Mapping[str, Any]) -> Catalogue:
    """The catalogue holding this consultation's texts alone (parity is checked on them)."""
    return Catalogue(
        {
            code: replace(
                info, messages={k: v for k, v in info.messages.items() if k in texts}
            )
            for code, info in catalogue.languages.items()
        }
    )


def errors(issues: Iterable[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == "error"]


def pydantic_where(loc: tuple[Any, ...]) -> str:
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        return f"Question {loc[1] + 1}"
    names = {"keyword": "Keyword", "opens_at": "Dates", "closes_at": "Dates", "title": "Title"}
    return names.get(str(loc[0]), "Document") if loc else "Document"


def from_document(raw: str) -> ConsultationIn | None:
    """The draft a stored version was made from (its flow document and texts), keyword and
    dates left empty (they live on the consultation)."""
    data = json.loads(raw)
    flow, texts = data["flow"], data["texts"]
    title = texts.get(flow["consultation"]["title"], {})
    questions = []
    for step in flow["steps"]:
        if step.get("type") != "ask":
            continue
        questions.append(
            {
                "kind": step["answer"],
                "text": texts.get(step["text"], {}),
                "skippable": bool(step.get("skippable", False)),
                "choices": [
                    {"value": o["value"], "text": texts.get(o["text"], {})}
                    for o in step.get("options", ())
                ],
            }
        )
    try:
        return ConsultationIn.model_validate(
            {"keyword": "x", "title": title, "questions": questions}
        )
    except ValidationError:
        return None


def example(catalogue: Catalogue) -> ConsultationIn:
    """A starting point for a new consultation: every language present, English filled in."""

    def texts(standard: str, easy: str) -> dict[str, Wording]:
        return {
            code: Wording(standard=standard, easy=easy) if code == BASE_LANGUAGE else Wording()
            for code in catalogue.codes
        }

    return ConsultationIn(
        keyword="example",
        title=texts("Our new consultation", "Our new survey"),
        questions=[
            QuestionIn(kind="open", text=texts("What should we change?", "What should we change?")),
        ],
    )



# --- What the pages and the API do (both call these; the caller commits).


class ConsultError(Exception):
    """A request the store refuses: `status` is the HTTP status, `issues` the reasons."""

    def __init__(self, status: int, message: str, issues: list[Issue] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.issues = issues or []


@dataclass(frozen=True)
class Summary:
    record: ConsultationRecord
    status: Literal["draft", "scheduled", "open", "closed"]
    draft: ConsultationIn | None  # the latest version, as written
    issues: list[Issue]  # of the latest version
    sms_keyword: str
    sms_number: str | None
    telegram_link: str | None


def status_of(record: ConsultationRecord, at: datetime) -> Literal[
    "draft", "scheduled", "open", "closed"
]:
    if record.live_version is None:
        return "draft"
    if record.opens_at is not None and at < record.opens_at:
        return "scheduled"
    if record.closes_at is not None and at >= record.closes_at:
        return "closed"
    return "open"


def telegram_link(settings: Settings, keyword: str) -> str | None:
    name = settings.telegram_bot_username
    return f"https://t.me/{name}?start={keyword}" if name else None


def summary(
    uow: UnitOfWork,
    record: ConsultationRecord,
    settings: Settings,
    flows: FlowSet,
    catalogue: Catalogue,
    at: datetime,
) -> Summary:
    stored = uow.consultations.version(record.consultation_id, record.latest_version)
    draft = from_document(stored.document) if stored is not None else None
    if draft is not None:
        draft = draft.model_copy(
            update={
                "keyword": record.keyword,
                "opens_at": record.opens_at,
                "closes_at": record.closes_at,
            }
        )
        issues = _checked(draft, record.consultation_id, record.latest_version, flows, catalogue)
    else:
        issues = [Issue("error", "Document", None, None, "FLOW-SCHEMA", "cannot be read")]
    twilio = settings.twilio
    return Summary(
        record, status_of(record, at), draft, issues, record.keyword.upper(),
        twilio.from_number if twilio else None, telegram_link(settings, record.keyword),
    )


# Checks of stored versions, by what they depend on: a stored version's problems are shown on
# every page that lists it, and checking one takes about 0.15 s (nine languages, the lint).
_CHECKED: dict[tuple[object, ...], list[Issue]] = {}
_CHECKED_MAX = 512


def _checked(
    draft: ConsultationIn, cid: str, version: int, flows: FlowSet, catalogue: Catalogue
) -> list[Issue]:
    key = (id(flows), id(catalogue), cid, version, draft.model_dump_json())
    found = _CHECKED.get(key)
    if found is None:
        if len(_CHECKED) >= _CHECKED_MAX:
            _CHECKED.clear()
        found = _CHECKED[key] = check(draft, cid, version, flows, catalogue)
    return list(found)


def create(
    uow: UnitOfWork,
    draft: ConsultationIn,
    by: str,
    at: datetime,
    flows: FlowSet,
    catalogue: Catalogue,
) -> ConsultationRecord:
    """Stores a new consultation as version 1 (not open), problems and all: it can be fixed
    later, and cannot be opened until it passes. Refused (422) without a usable keyword."""
    keyword = folded_keyword(draft.keyword)
    issues = check(
        draft, new_id(draft.keyword) or "new", 1, flows, catalogue,
        keyword_taken=bool(keyword) and uow.consultations.keyword_taken(keyword),
    )
    refused = [i for i in issues if i.rule == "KEYWORD" or i.rule == "DATES"]
    if refused:
        raise ConsultError(422, "the consultation cannot be stored", refused)
    cid = new_id(draft.keyword)
    try:
        return uow.consultations.create(
            cid, keyword, document(draft, cid, 1).json(), by=by, at=at,
            opens_at=draft.opens_at, closes_at=draft.closes_at,
        )
    except ConsultationExists as exc:
        raise ConsultError(409, "a consultation with that id or keyword exists") from exc


def update(
    uow: UnitOfWork,
    cid: str,
    draft: ConsultationIn,
    by: str,
    at: datetime,
    flows: FlowSet,
    catalogue: Catalogue,
    reviews: consult_reviews.Reviews | None = None,
) -> ConsultationRecord:
    """Stores an edit. The latest version is changed while it was never open; once a version
    was open, the edit is a new version (people keep answering the one they started). A
    live consultation's new version is opened at once when it passes every check; with an
    error it waits as a draft and the live version stays. The translations' reviews are
    carried forward from the latest version, or are `reviews` (a PO import's)."""
    record = uow.consultations.get(cid)
    if record is None:
        raise ConsultError(404, "no such consultation")
    keyword = folded_keyword(draft.keyword)
    taken = uow.consultations.keyword_taken(keyword, other_than=cid)
    version = record.latest_version
    if record.live_version is not None and version <= record.live_version:
        version += 1
    issues = check(draft, cid, version, flows, catalogue, keyword_taken=taken)
    refused = [i for i in issues if i.rule in ("KEYWORD", "DATES")]
    if refused:
        raise ConsultError(422, "the consultation cannot be stored", refused)
    uow.consultations.set_details(
        cid, keyword=keyword, opens_at=draft.opens_at, closes_at=draft.closes_at, at=at
    )
    if reviews is None:  # translations' review status (bot.workspace.consult_reviews)
        latest = uow.consultations.version(cid, record.latest_version)
        reviews = consult_reviews.reviews_of(latest.document if latest else None)
    live = record.live_version
    if live is not None and record.latest_version == live:
        stored = uow.consultations.version(cid, live)
        unchanged = consult_reviews.with_reviews(document(draft, cid, live).json(), reviews)
        if stored is not None and stored.document == unchanged:
            # Only the keyword or dates changed: they belong to the consultation, no version.
            found = uow.consultations.get(cid)
            assert found is not None
            return found
    stored_text = consult_reviews.with_reviews(document(draft, cid, version).json(), reviews)
    saved = uow.consultations.save_version(cid, stored_text, by=by, at=at)
    if record.live_version is not None and not errors(issues):
        uow.consultations.open_version(cid, saved, at)
    found = uow.consultations.get(cid)
    assert found is not None
    return found


def open_latest(
    uow: UnitOfWork, cid: str, at: datetime, flows: FlowSet, catalogue: Catalogue
) -> ConsultationRecord:
    """Opens the latest version to SMS and Telegram (from its open date, if any). Refused
    (409, with the reasons) while it has an error."""
    record = uow.consultations.get(cid)
    if record is None:
        raise ConsultError(404, "no such consultation")
    stored = uow.consultations.version(cid, record.latest_version)
    draft = from_document(stored.document) if stored is not None else None
    if draft is None:
        raise ConsultError(409, "the latest version cannot be read")
    draft = draft.model_copy(
        update={"keyword": record.keyword, "opens_at": record.opens_at,
                "closes_at": record.closes_at}
    )
    issues = check(draft, cid, record.latest_version, flows, catalogue)
    if errors(issues):
        raise ConsultError(409, "fix these problems before opening it", errors(issues))
    uow.consultations.open_version(cid, record.latest_version, at)
    found = uow.consultations.get(cid)
    assert found is not None
    return found


def close_now(uow: UnitOfWork, cid: str, at: datetime) -> ConsultationRecord:
    """Closes the consultation from now on (its close date becomes now)."""
    record = uow.consultations.get(cid)
    if record is None:
        raise ConsultError(404, "no such consultation")
    opens = record.opens_at if record.opens_at is None or record.opens_at <= at else at
    uow.consultations.set_details(cid, keyword=record.keyword, opens_at=opens, closes_at=at, at=at)
    found = uow.consultations.get(cid)
    assert found is not None
    return found


def content_of(ws: Workspace) -> tuple[FlowSet, Catalogue]:
    """The flows and catalogue of `flows/` the consultations are checked against."""
    if ws.content is not None:
        return ws.content()
    return _load_content(ws.settings.flows_dir)


@functools.cache
def _load_content(flows_dir: Path) -> tuple[FlowSet, Catalogue]:
    from bot.catalogue import load_catalogue
    from bot.flowspec.loader import load_flows

    return load_flows(flows_dir), load_catalogue(flows_dir / "catalogue")
