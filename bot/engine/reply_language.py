"""Does a reply that was not understood look like another language than the one spoken?

Set on every reply not understood (session field `reply_language`: "other" or "same"), so a
flow can tell a wrong language guess from a person who simply did not follow: after a guessed
language, "huh" or "what?" gets the question again, while "nie rozumiem" after a guess of
English leads to the language menu.
"""

from __future__ import annotations

import unicodedata

from bot.engine.context import TurnContext

REPLY_LANGUAGE_FIELD = "reply_language"


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else ""


def _scripts(text: str) -> set[str]:
    return {_script(ch) for ch in text if ch.isalpha()} - {""}


def another_language(ctx: TurnContext) -> bool:
    """True when the language guesser is confident of a different language, or the reply is
    written in a script the spoken language's catalogue words never use (Arabic letters after
    a guess of English). A short reply the guesser is unsure of counts as the same language."""
    spoken = ctx.language
    u = ctx.inp.understanding
    if (
        u.language
        and u.language != spoken
        and u.language_confidence >= ctx.settings.language_confidence
    ):
        return True
    info = ctx.catalogue.languages.get(spoken)
    if info is None:
        return False
    known = _scripts(" ".join(w for words in info.keywords.values() for w in words))
    return bool(_scripts(ctx.inp.text) - known)


def note_reply_language(ctx: TurnContext) -> None:
    ctx.work.fields[REPLY_LANGUAGE_FIELD] = "other" if another_language(ctx) else "same"
