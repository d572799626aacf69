"""What `heard nlu parse` prints for one text: the NLU backend's answer in Rasa's shape, the
language guess, and what the safeguarding screen would do if the text were an open answer."""

from __future__ import annotations

from typing import Any

from bot.nlu.base import NLU, LanguageGuesser
from bot.nlu.screening import screen


def parse_report(
    nlu: NLU, guesser: LanguageGuesser, text: str, stored_language: str | None = None
) -> dict[str, Any]:
    """`text`, `intent`, `intent_ranking`, `entities`, `backend`, `language` and
    `safeguarding` (null, or kind, level and source)."""
    guess = guesser.guess(text, stored_language)
    parsed = nlu.parse(text, stored_language or guess.language)
    out = parsed.as_rasa_json()
    out["backend"] = parsed.backend
    out["language"] = {
        "guess": guess.language,
        "confidence": round(guess.confidence, 3),
        "source": guess.source,
    }
    found = screen(text, parsed)
    out["safeguarding"] = (
        None
        if found is None
        else {"kind": found.kind, "level": found.level, "source": found.source}
    )
    return out
