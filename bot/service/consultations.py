"""The flows and texts the engine is handed: `flows/` plus the consultations made in the
workspace (storage.repositories.consultations).

A stored version is a document `{"flow": <flow document, as flows/*.yaml>, "texts": {text id:
{language: {"standard": ..., "easy": ...}}}}`, validated by the same schema, checks and lint
as `flows/` before it can be opened (bot.workspace.consult). Here it is read back: each
version that people may be answering becomes one flow (`ws_<id>_v<n>`, so a person keeps the
version they started), with the consultation's current keyword and dates written into it
(they belong to the consultation, not to a version), and its texts are laid over the
catalogue. While a stored consultation is open, the menu's way into the consultation of
`flows/` (its `enter` step) becomes a question choosing between the open consultations.

`FlowRegistry.refresh` reads one small SELECT per call (`Consultations.fingerprint`) and
builds again only when that changed or a consultation opened or closed since the last build.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.catalogue import Catalogue
from bot.catalogue.model import MessageEntry
from bot.flowspec import texts
from bot.flowspec.build import build_flow
from bot.flowspec.model import (
    AskStep,
    BranchStep,
    Case,
    EnterStep,
    Flow,
    FlowSet,
    Option,
)
from storage.records import ConsultationRecord
from storage.unit_of_work import UnitOfWork

# Texts of a version: text id -> language -> register -> text.
Texts = Mapping[str, Mapping[str, Mapping[str, str]]]
# Open stored consultations the menu lists beside the one of `flows/` (at most 4 choices with
# "back": easy read, ER-20). The newest are listed.
MENU_LIMIT = 2
CHOICE_FIELD = "consultation_choice"
BACK_VALUE = "back"
BACK_TEXT = "menu.back"


def flow_id(consultation_id: str, version: int) -> str:
    return f"ws_{consultation_id}_v{version}"


def text_prefix(consultation_id: str, version: int) -> str:
    return f"ws.{consultation_id}.v{version}"


def instant(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def with_details(
    flow_doc: Mapping[str, Any],
    *,
    keyword: str,
    opens: datetime | None,
    closes: datetime | None,
) -> dict[str, Any]:
    """The flow document with the consultation's keyword and dates written in."""
    doc = dict(flow_doc)
    consultation = dict(doc.get("consultation") or {})
    consultation["keyword"] = keyword
    for key, at in (("opens", opens), ("closes", closes)):
        consultation.pop(key, None)
        if at is not None:
            consultation[key] = instant(at)
    doc["consultation"] = consultation
    return doc


def read_document(raw: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(flow document, texts) of a stored version."""
    data = json.loads(raw)
    return dict(data.get("flow") or {}), dict(data.get("texts") or {})


def overlay(catalogue: Catalogue, extra: Texts) -> Catalogue:
    """The catalogue with `extra` texts added to each language (status draft)."""
    if not extra:
        return catalogue
    languages = {}
    for code, info in catalogue.languages.items():
        added = {
            text_id: MessageEntry(
                text_id,
                str(by_lang[code].get("standard", "")),
                str(by_lang[code].get("easy", "")),
                "draft",
            )
            for text_id, by_lang in extra.items()
            if code in by_lang
        }
        languages[code] = replace(info, messages={**info.messages, **added}) if added else info
    return Catalogue(languages)


def _menu(menu: Flow, base: FlowSet, listed: Iterable[Flow]) -> Flow:
    """The menu whose `enter` into a consultation of `flows/` asks which consultation first."""
    listed = list(listed)
    enter = next(
        (
            s
            for s in menu.steps.values()
            if isinstance(s, EnterStep) and (f := base.get(s.flow)) and f.consultation
        ),
        None,
    )
    if enter is None or not listed:
        return menu
    first = base[enter.flow]
    choices = [first, *listed]
    titled = [Option(f.id, f.consultation.title) for f in choices if f.consultation is not None]
    options = (*titled, Option(BACK_VALUE, BACK_TEXT))
    ask_id, route_id = enter.id, f"{enter.id}_route"
    steps = dict(menu.steps)
    steps[ask_id] = AskStep(
        id=ask_id, answer="choice", text=texts.CHOOSE_CONSULTATION, save_as=CHOICE_FIELD,
        store="none", next=route_id, other=ask_id, options=options,
    )
    cases = tuple(Case((f.id,), f"{ask_id}_{f.id}") for f in choices)
    steps[route_id] = BranchStep(route_id, CHOICE_FIELD, cases, menu.start)
    for f in choices:
        steps[f"{ask_id}_{f.id}"] = EnterStep(f"{ask_id}_{f.id}", f.id, enter.next)
    return replace(menu, steps=steps)


def build_content(
    base_flows: FlowSet,
    base_catalogue: Catalogue,
    documents: Iterable[tuple[ConsultationRecord, int, str]],
    at: datetime,
) -> tuple[FlowSet, Catalogue]:
    """The flows and catalogue for the engine: `flows/` plus every stored version given."""
    flows = dict(base_flows.flows)
    extra: dict[str, Any] = {}
    live: list[tuple[datetime, Flow]] = []
    for record, version, raw in documents:
        flow_doc, version_texts = read_document(raw)
        flow_doc = with_details(
            flow_doc, keyword=record.keyword, opens=record.opens_at, closes=record.closes_at
        )
        flow = build_flow(flow_doc, f"workspace consultation {record.consultation_id} v{version}")
        if flow.id in base_flows:
            continue  # never shadows a flow of flows/
        flows[flow.id] = flow
        extra.update(version_texts)
        if version == record.live_version and record.is_open(at):
            live.append((record.created_at, flow))
    listed = [f for _, f in sorted(live, key=lambda p: p[0], reverse=True)[:MENU_LIMIT]]
    menu = base_flows.get(texts.MENU_FLOW)
    if menu is not None:
        flows[texts.MENU_FLOW] = _menu(menu, base_flows, listed)
    return FlowSet(flows), overlay(base_catalogue, extra)


class FlowRegistry:
    """The content the engine is handed, kept in step with the stored consultations."""

    def __init__(self, flows: FlowSet, catalogue: Catalogue) -> None:
        self.base_flows = flows
        self.base_catalogue = catalogue
        self.flows = flows
        self.catalogue = catalogue
        self._key: object = None

    def refresh(self, reader: UnitOfWork, at: datetime) -> bool:
        """Reads what the stored consultations look like now; builds the flows again when
        they changed or one opened or closed since the last build. True when rebuilt."""
        rows = reader.consultations.fingerprint()
        open_now = tuple(
            cid
            for cid, _kw, _live, opens, closes in rows
            if (opens is None or opens <= at) and (closes is None or at < closes)
        )
        key = (rows, open_now)
        if key == self._key:
            return False
        if not rows:
            self.flows, self.catalogue = self.base_flows, self.base_catalogue
        else:
            self.flows, self.catalogue = build_content(
                self.base_flows, self.base_catalogue, reader.consultations.live_documents(), at
            )
        self._key = key
        return True
