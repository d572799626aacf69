"""Accented letters written plainly, for a person who writes their language without accents.

Polish and Romanian lose GSM-7 to a handful of letters (ą ę ł ś ż, ă â î ș ț), so most of their
messages cost UCS-2, twice as many SMS. Many people text these languages without accents; for
them Heard can answer the same way. The table is the catalogue's (`sms.plain_letters`), reviewed
per language, and maps a letter only to the same letter without its accent: it never guesses
and never drops a letter. `heard lint` checks each table (bot.lint.plain).
"""

from __future__ import annotations

from collections.abc import Mapping


def plain_letters(text: str, table: Mapping[str, str]) -> str:
    """`text` with every letter in `table` replaced; anything else is kept exactly."""
    if not table:
        return text
    return "".join(table.get(ch, ch) for ch in text)


def writes_with_accents(text: str, table: Mapping[str, str]) -> bool:
    """The text uses at least one of the accented letters the table would write plainly."""
    return any(ch in table for ch in text)
