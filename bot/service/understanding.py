"""Turns raw text into an `Understanding` before the engine runs (the engine cannot do I/O,
and the NLU backend may be a Rasa server)."""

from __future__ import annotations

import logging

from bot.engine.inputs import Understanding
from bot.nlu.base import NLU, LanguageGuesser
from bot.nlu.keywords import PhraseMatcher
from bot.nlu.screening import screen

log = logging.getLogger("heard.understanding")

# Longer than any reply people type; the rest is kept verbatim but not sent to the classifier,
# so a 5,000-character message costs what a 500-character one does.
MAX_NLU_CHARS = 500


class Understander:
    """`matcher`: the safeguarding phrases the deployment ships (`flows/safeguarding/`)."""

    def __init__(self, nlu: NLU, guesser: LanguageGuesser, matcher: PhraseMatcher) -> None:
        self._nlu = nlu
        self._guesser = guesser
        self._matcher = matcher

    def understand(self, text: str, stored_language: str | None) -> Understanding:
        clipped = text[:MAX_NLU_CHARS]
        if not clipped.strip():
            return Understanding(language=stored_language)
        guess = self._guesser.guess(clipped, stored_language)
        try:
            parsed = self._nlu.parse(clipped, guess.language or stored_language)
        except Exception:  # an NLU failure must never cost a person their turn
            log.exception("NLU backend failed; continuing without an intent")
            return Understanding(
                language=guess.language,
                language_confidence=guess.confidence,
                safeguarding=screen(clipped, None, matcher=self._matcher),
            )
        return Understanding(
            intent=parsed.intent.name if parsed.intent else None,
            intent_confidence=parsed.intent.confidence if parsed.intent else 0.0,
            language=guess.language,
            language_confidence=guess.confidence,
            safeguarding=screen(clipped, parsed, matcher=self._matcher),
        )
