"""Review status of a consultation's translations, kept in each stored version's document.

A version's document (`{"flow": ..., "texts": ...}`, bot.workspace.consult.document) may carry
`"reviews": {language: {text key: {"by": reviewer, "text": fingerprint}}}`. The text key is a
text's place without the version (`title`, `q2`, `q2.bus`: bot.workspace.consult_po), so
a review outlives the version it was made in; the fingerprint is of the standard and easy-read
texts reviewed (bot.catalogue.model.text_fingerprint), so a review counts only while the text
is still the one reviewed. An edit carries the reviews forward (a changed text is then a
draft again); a text becomes reviewed only through a PO import or a mark by a named reviewer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

Reviews = dict[str, dict[str, dict[str, str]]]


def reviews_of(raw: str | None) -> Reviews:
    """The reviews a stored document carries (none for a document without them)."""
    if not raw:
        return {}
    found = json.loads(raw).get("reviews")
    if not isinstance(found, dict):
        return {}
    return {
        str(lang): {str(k): dict(v) for k, v in by_key.items() if isinstance(v, dict)}
        for lang, by_key in found.items()
        if isinstance(by_key, dict)
    }


def with_reviews(raw: str, reviews: Mapping[str, Mapping[str, Mapping[str, str]]]) -> str:
    """`raw` (a document as JSON) with `reviews` in it; without any, the document as it was."""
    kept = {lang: dict(by_key) for lang, by_key in reviews.items() if by_key}
    if not kept:
        return raw
    data: dict[str, Any] = json.loads(raw)
    data["reviews"] = kept
    return json.dumps(data, ensure_ascii=False)
