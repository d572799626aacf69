"""Whether the person writes without accents, read from their own messages.

The session field `plain_letters` is "yes" when the person's latest message with enough words
was written in plain ASCII letters, "no" when it used an accented or non-Latin letter, and
absent until a message says either. Short replies (a number, "tak", "STOP") say nothing and
change nothing. The SMS renderer uses the field, through `MessageCreated.plain_letters`, only
for a language whose catalogue has a reviewed plain-letter table (Polish, Romanian), so a guess
here can cost spelling, never meaning.
"""

from __future__ import annotations

from bot.engine.context import PLAIN_LETTERS_FIELD, TurnContext

# Fewer letters than this, or a single word, is no evidence either way.
MIN_LETTERS = 8
MIN_WORDS = 2


def writes_plain(text: str) -> bool | None:
    """True: written in plain ASCII letters; False: uses other letters; None: too short."""
    letters = [ch for ch in text if ch.isalpha()]
    if any(not ch.isascii() for ch in letters):
        return False
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    if len(letters) < MIN_LETTERS or len(words) < MIN_WORDS:
        return None
    return True


def note_how_they_write(ctx: TurnContext) -> None:
    plain = writes_plain(ctx.inp.text)
    if plain is not None:
        ctx.work.fields[PLAIN_LETTERS_FIELD] = "yes" if plain else "no"
