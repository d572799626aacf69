"""A view's question in the coordinator's language. A view keeps the question as the person saw
it (their language and register); coordinators read it from the catalogue in their own
language (English by default), found through the flow step that asked it."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.catalogue import Catalogue
from bot.flowspec.model import AskStep, FlowSet

DEFAULT_LANGUAGE = "en"


@dataclass
class QuestionTexts:
    flows: FlowSet
    catalogue: Catalogue
    _cache: dict[tuple[str, str, str], str | None] = field(default_factory=dict)

    def text(self, flow: str, question_id: str, language: str = DEFAULT_LANGUAGE) -> str | None:
        """The question's standard text in `language` (English when it has none), or None
        when the flow or step is no longer in the flows."""
        key = (flow, question_id, language)
        if key not in self._cache:
            self._cache[key] = self._lookup(flow, question_id, language)
        return self._cache[key]

    def _lookup(self, flow: str, question_id: str, language: str) -> str | None:
        found = self.flows.get(flow)
        if found is None or question_id not in found.steps:
            return None
        step = found.step(question_id)
        if not isinstance(step, AskStep):
            return None
        return self.catalogue.text(language, "standard", step.text, {}).text

    def questions(self, language: str = DEFAULT_LANGUAGE) -> list[tuple[str, str, str]]:
        """(consultation id, question id, text) of every question that stores a view."""
        found: list[tuple[str, str, str]] = []
        for flow in self.flows.consultations():
            assert flow.consultation is not None
            for ask in flow.asks():
                if ask.store == "view":
                    text = self.catalogue.text(language, "standard", ask.text, {}).text
                    found.append((flow.consultation.id, ask.id, text))
        return found

    def consultations(self) -> list[str]:
        return sorted(
            f.consultation.id for f in self.flows.consultations() if f.consultation is not None
        )
