"""Typographic characters replaced by GSM-7 equivalents, so a message stays in one encoding.

One curly apostrophe turns a whole message into UCS-2 and can triple its segments. The
replacement is all or nothing: it is applied only when it makes the whole text GSM-7. A text that
needs UCS-2 anyway (Welsh ŵ, Polish ą, Urdu, Bengali, emoji) has room for the author's typography
and comes back exactly as given, so letters, combining marks, ZWJ/ZWNJ and direction marks are
never touched. Whether a language allows this at all is `LanguageInfo.gsm7_normalise`; callers
check it.
"""

from __future__ import annotations

from bot.render.segments import is_gsm7

# Only punctuation, spaces and invisible formatting: never a letter or a mark of any language.
GSM7_EQUIVALENTS: dict[str, str] = {
    "\u2018": "'",  # left single quotation mark
    "\u2019": "'",  # right single quotation mark (curly apostrophe)
    "\u201a": "'",  # single low-9 quotation mark
    "\u201b": "'",
    "\u2032": "'",  # prime
    "\u00b4": "'",  # acute accent used as an apostrophe
    "`": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',  # Polish opening quotation mark
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",  # horizontal bar
    "\u2212": "-",  # minus sign
    "\u2026": "...",
    "\u2022": "-",  # bullet
    "\u2023": "-",
    "\u25e6": "-",
    "\u2043": "-",
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space
    "\u2002": " ",
    "\u2003": " ",
    "\u2007": " ",
    "\u2009": " ",  # thin space
    "\u200a": " ",
    "\t": " ",
    "\u00ad": "",  # soft hyphen
    "\u200b": "",  # zero-width space
    "\ufeff": "",  # byte order mark
}

_TABLE = str.maketrans(GSM7_EQUIVALENTS)


def normalise_for_gsm7(text: str) -> str:
    if is_gsm7(text):
        return text
    replaced = text.translate(_TABLE)
    return replaced if is_gsm7(replaced) else text
