"""Theme suggestions that a coordinator then confirms or rejects (never applied by themselves).

1. Keyword rules: a theme holds words or phrases per language; a view in that language whose
   words contain one (compared folded: case and accents ignored, whole words) is suggested.
2. Similar views: views whose words are close to those already confirmed for the theme, by
   the embedded classifier's own features (bot.nlu.embedded.features: words, word pairs and
   character n-grams, TF-IDF weighted), cosine similarity to the nearest confirmed view.

Suggestions are stored as `suggested` tags; a view already tagged with the theme (confirmed,
suggested or rejected) is left alone, so a rejected suggestion is never made again. People's
words are read through the store's records only, never matched in SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.nlu.normalise import basic, strip_accents
from storage.records import InboxEntry, ThemeRecord, ViewFilters
from storage.unit_of_work import UnitOfWork

SIMILAR_THRESHOLD = 0.3
SIMILAR_LIMIT = 50
CANDIDATE_LIMIT = 20_000


def fold(text: str) -> str:
    return strip_accents(basic(text))


@dataclass(frozen=True)
class KeywordRules:
    """A theme's keyword rules as folded whole-word patterns, per language."""

    patterns: dict[str, re.Pattern[str]]

    @classmethod
    def of(cls, theme: ThemeRecord) -> KeywordRules:
        patterns: dict[str, re.Pattern[str]] = {}
        for language, words in theme.keywords.items():
            folded = sorted({fold(w) for w in words if fold(w)}, key=len, reverse=True)
            if folded:
                alternatives = "|".join(re.escape(w) for w in folded)
                patterns[language] = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
        return cls(patterns)

    def matches(self, language: str, text: str) -> bool:
        pattern = self.patterns.get(language)
        return pattern is not None and pattern.search(fold(text)) is not None


def keyword_matches(theme: ThemeRecord, entries: Iterable[InboxEntry]) -> list[str]:
    rules = KeywordRules.of(theme)
    return [
        e.view.view_id
        for e in entries
        if rules.matches(e.view.language, e.view.original_text)
        or rules.matches(e.view.language, e.view.answer_value)
    ]


def suggest_by_keywords(
    uow: UnitOfWork, theme_id: int, at: datetime, filters: ViewFilters | None = None
) -> int:
    """Suggests `theme_id` for every listed view its keyword rules match; returns how many
    new suggestions were made."""
    theme = uow.themes.get(theme_id)
    if theme is None or not theme.keywords:
        return 0
    decided = uow.themes.decided(theme_id)
    found: list[str] = []
    base = filters or ViewFilters()
    for language in theme.keywords:
        scope = ViewFilters(**{**base.__dict__, "language": language})
        entries = (e for e in uow.view_inbox.stream(scope) if e.view.view_id not in decided)
        found.extend(keyword_matches(theme, entries))
    return uow.themes.tag(found, theme_id, "suggested", "keyword", None, at) if found else 0


def similar(
    confirmed: list[InboxEntry], candidates: list[InboxEntry], threshold: float, limit: int
) -> list[tuple[str, float]]:
    """(view id, similarity) of the candidates closest to any confirmed view, best first."""
    if not confirmed or not candidates:
        return []
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from bot.nlu.embedded import features

    texts = [e.view.original_text for e in confirmed + candidates]
    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, dtype=np.float64)
    matrix = vectorizer.fit_transform(texts)  # rows are L2-normalised
    seeds, rest = matrix[: len(confirmed)], matrix[len(confirmed) :]
    scores = np.asarray((rest @ seeds.T).max(axis=1).todense()).ravel()
    order = np.argsort(-scores)
    picked: list[tuple[str, float]] = []
    for i in order[:limit]:
        if scores[i] < threshold:
            break
        picked.append((candidates[int(i)].view.view_id, float(scores[i])))
    return picked


def suggest_similar(
    uow: UnitOfWork,
    theme_id: int,
    at: datetime,
    filters: ViewFilters | None = None,
    threshold: float = SIMILAR_THRESHOLD,
    limit: int = SIMILAR_LIMIT,
) -> int:
    """Suggests `theme_id` for up to `limit` listed views (of the filters, newest
    `CANDIDATE_LIMIT` considered) most like the views already confirmed for it."""
    confirmed_ids = set(uow.themes.tagged(theme_id, "confirmed", limit=500))
    if not confirmed_ids:
        return 0
    decided = uow.themes.decided(theme_id)
    confirmed: list[InboxEntry] = []
    candidates: list[InboxEntry] = []
    cursor = None
    scope = filters or ViewFilters()
    while len(candidates) < CANDIDATE_LIMIT:
        page = uow.view_inbox.page(scope, after=cursor, limit=200)
        for entry in page.entries:
            if entry.view.view_id in confirmed_ids:
                confirmed.append(entry)
            elif entry.view.view_id not in decided:
                candidates.append(entry)
        cursor = page.next_cursor
        if cursor is None:
            break
    if len(confirmed) < len(confirmed_ids):
        known = {e.view.view_id for e in confirmed}
        for view_id in confirmed_ids - known:
            found = uow.view_inbox.get(view_id)
            if found is not None:
                confirmed.append(found)
    picked = [view_id for view_id, _ in similar(confirmed, candidates, threshold, limit)]
    return uow.themes.tag(picked, theme_id, "suggested", "similar", None, at) if picked else 0
