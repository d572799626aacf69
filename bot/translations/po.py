"""Gettext PO files over a neutral list of entries (Babel writes and reads them).

Nothing here knows where texts are kept: the catalogue adapter (`bot.translations.catalogue`)
turns `flows/catalogue/<lang>.yaml` into `PoEntry`s and applies what `read_po` returns, and a
consultation stored in the database does the same with its own adapter (docs/DESIGN.md,
"Translators and review").

One entry is one text in one register:
  msgctxt  "<message id>|<register>" (`context`), unique in a file
  msgid    the English text
  msgstr   the translation, "" when there is none
  #.       notes for the translator (the English note, the limits the lint applies)
  #:       where the text is used (flow file and line)
  #, fuzzy the translation is a draft (not reviewed by a named reviewer)
  #, python-brace-format  the text has {placeholders}: Poedit, Weblate and `msgfmt --check`
           then check the translation keeps them
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from babel.core import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError
from babel.messages.pofile import read_po as babel_read_po
from babel.messages.pofile import write_po as babel_write_po

from bot.catalogue.model import PLACEHOLDER
from bot.terms import REGISTERS, Register

CONTEXT_SEPARATOR = "|"


class PoReadError(ValueError):
    """The file is not a PO file Heard can read; `line` is 1-based (0: the whole file)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.line = line
        self.reason = reason


def context_of(text_id: str, register: Register) -> str:
    return f"{text_id}{CONTEXT_SEPARATOR}{register}"


def split_context(context: str) -> tuple[str, Register] | None:
    """(message id, register) of a msgctxt, or None when it is not one Heard writes."""
    text_id, _, register = context.rpartition(CONTEXT_SEPARATOR)
    for known in REGISTERS:
        if text_id and register == known:
            return text_id, known
    return None


@dataclass(frozen=True)
class PoEntry:
    """One text to translate, as an adapter hands it to `write_po`."""

    text_id: str
    register: Register
    source: str  # English
    translation: str  # "" when there is none
    reviewed: bool  # False: written with the fuzzy flag
    notes: tuple[str, ...] = ()
    locations: tuple[tuple[str, int], ...] = ()

    @property
    def context(self) -> str:
        return context_of(self.text_id, self.register)


@dataclass(frozen=True)
class ReadEntry:
    """One entry of a PO file as read, with the line of its msgid (1-based)."""

    text_id: str
    register: Register
    source: str
    translation: str
    fuzzy: bool
    line: int


@dataclass(frozen=True)
class PoFile:
    language: str | None  # the Language header, if any
    entries: tuple[ReadEntry, ...]
    problems: tuple[tuple[int, str], ...] = field(default=())  # (line, reason): unusable entries


def _locale(language: str) -> Locale | None:
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return None


def write_po(
    entries: Iterable[PoEntry],
    *,
    language: str,
    project: str,
    header: str,
    now: datetime,
) -> str:
    """The PO file of `entries`, in their order. `header` becomes the file's opening comment."""
    catalog = Catalog(
        locale=_locale(language),
        project=project,
        version="1",
        header_comment="\n".join(f"# {line}".rstrip() for line in header.splitlines()),
        creation_date=now,
        revision_date=now,
        fuzzy=False,
        charset="utf-8",
    )
    catalog.language_team = f"{language} <>"
    catalog.last_translator = f"{project} <>"  # Poedit and Weblate write the translator's own
    catalog.msgid_bugs_address = ""
    for entry in entries:
        flags = set()
        if entry.translation and not entry.reviewed:
            flags.add("fuzzy")
        if PLACEHOLDER.search(entry.source):
            flags.add("python-brace-format")
        catalog[entry.source] = Message(
            entry.source,
            entry.translation,
            locations=list(entry.locations),
            flags=flags,
            auto_comments=list(entry.notes),
            context=entry.context,
        )
    out = io.BytesIO()
    babel_write_po(out, catalog, width=0, sort_by_file=False, sort_output=False)
    text = out.getvalue().decode("utf-8")
    # Babel's Language header names the locale's own form (pa_Guru for pa); Heard's code is
    # what `import-po` reads back.
    return _with_language(text, language)


def _with_language(text: str, language: str) -> str:
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.startswith('"Language: '):
            lines[index] = f'"Language: {language}\\n"'
            return "\n".join(lines)
        if line.startswith('"MIME-Version: '):
            lines.insert(index, f'"Language: {language}\\n"')
            return "\n".join(lines)
    return text


def read_po(data: bytes) -> PoFile:
    """Entries of a PO file. A file Babel cannot parse raises `PoReadError`; an entry whose
    msgctxt Heard did not write is a problem with its line, not an error. A UTF-8 byte order
    mark (some Windows editors write one) is passed over."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        catalog = babel_read_po(io.BytesIO(data), abort_invalid=True)
    except PoFileError as exc:
        raise PoReadError(int(exc.lineno) + 1, str(exc.args[0]).rsplit(" on ", 1)[0]) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise PoReadError(0, f"not a readable PO file: {exc}") from exc
    entries: list[ReadEntry] = []
    problems: list[tuple[int, str]] = []
    for message in catalog:
        if not message.id:
            continue  # the header
        line = int(message.lineno or 0)
        if message.pluralizable:
            problems.append((line, "plural forms are not used by Heard"))
            continue
        parsed = split_context(str(message.context or ""))
        if parsed is None:
            problems.append((line, f"msgctxt {message.context!r} is not '<message id>|<register>'"))
            continue
        entries.append(
            ReadEntry(
                parsed[0],
                parsed[1],
                str(message.id),
                str(message.string or ""),
                bool(message.fuzzy),
                line,
            )
        )
    language = _language_header(data)
    return PoFile(language, tuple(entries), tuple(problems))


def _language_header(data: bytes) -> str | None:
    """The Language header as written (Babel normalises it to a locale, which loses `pa`)."""
    for raw in data.decode("utf-8", "replace").splitlines():
        stripped = raw.strip()
        if stripped.startswith('"Language:'):
            value = stripped[len('"Language:') :].strip().strip('"')
            value = value.removesuffix("\\n").strip()
            return value or None
    return None


def lines_by_context(entries: Sequence[ReadEntry]) -> dict[str, int]:
    return {context_of(e.text_id, e.register): e.line for e in entries}
