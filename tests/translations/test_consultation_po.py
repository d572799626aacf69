"""A consultation kept in the database through the translators' PO files, on SQLite and
PostgreSQL: exported from its latest version with the catalogue's shape, translated, imported
back as the workspace editor's edit (a new version when it is live), refused whole with the
line and reason of each problem."""

from __future__ import annotations

import argparse
import io
from datetime import UTC, datetime
from pathlib import Path

from bot.catalogue import load_catalogue
from bot.flowspec import load_flows
from bot.translations.importing import ImportResult
from bot.translations.po import read_po
from bot.workspace import consult
from bot.workspace import consult_po as po
from bot.workspace.consult import ConsultationIn
from bot.workspace.consult_po_cli import consultation_command
from storage.sql import SqlStore
from tests.consult.drafts import buses

FLOWS = load_flows()
CATALOGUE = load_catalogue()
AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def set_translation(text: str, context: str, translation: str, *, fuzzy: bool = False) -> str:
    """`text` (a PO file) with one entry's msgstr replaced and its fuzzy flag set or cleared."""
    blocks = text.split("\n\n")
    for index, block in enumerate(blocks):
        lines = block.split("\n")
        if f'msgctxt "{context}"' not in lines:
            continue
        lines = [line for line in lines if line != "#, fuzzy"]
        lines = [line.replace("#, fuzzy, ", "#, ") for line in lines]
        if fuzzy:
            at = lines.index(f'msgctxt "{context}"')
            lines.insert(at, "#, fuzzy")
        lines = [
            'msgstr "' + translation.replace('"', '\\"') + '"' if line.startswith("msgstr ")
            else line
            for line in lines
        ]
        blocks[index] = "\n".join(lines)
        return "\n\n".join(blocks)
    raise AssertionError(f"no entry {context}")


def _made(store: SqlStore, *, live: bool) -> None:
    with store.unit_of_work() as uow:
        consult.create(uow, ConsultationIn.model_validate(buses()), "coordinator@example.org",
                       AT, FLOWS, CATALOGUE)
        if live:
            consult.open_latest(uow, "buses", AT, FLOWS, CATALOGUE)
        uow.commit()


def _export(store: SqlStore, language: str) -> str:
    with store.reading() as uow:
        record = po.find(uow, "BUSES")
        assert record is not None
        return po.export_po(po.load(uow, record), CATALOGUE, language, AT)


def _import(store: SqlStore, data: str, reviewed_by: str | None = None) -> ImportResult:
    with store.unit_of_work() as uow:
        record = po.find(uow, "buses")
        assert record is not None
        result = po.import_po(uow, record, FLOWS, CATALOGUE, data.encode(), by="a@example.org",
                              at=LATER, reviewed_by=reviewed_by)
        uow.commit()
        return result


def _latest(store: SqlStore) -> tuple[int, int | None, po.Loaded]:
    with store.reading() as uow:
        record = uow.consultations.get("buses")
        assert record is not None
        return record.latest_version, record.live_version, po.load(uow, record)


def _counts(loaded: po.Loaded) -> dict[str, tuple[int, int, int]]:
    return {c.language: (c.reviewed, c.draft, c.missing)
            for c in po.review_counts(loaded, CATALOGUE)}


def test_a_stored_consultation_round_trips_in_several_languages(store: SqlStore) -> None:
    _made(store, live=False)
    exported = {code: _export(store, code) for code in ("cy", "pl", "ar")}
    cy = read_po(exported["cy"].encode())
    assert cy.language == "cy" and po.consultation_of(exported["cy"].encode()) == "buses"
    title = {(e.text_id, e.register): e for e in cy.entries}[("title", "standard")]
    assert (title.source, title.translation, title.fuzzy) == (
        "Buses to day centres", "Bysiau i ganolfannau dydd", True)
    assert "q2.bus|easy" in exported["cy"] and "A choice label" in exported["cy"]
    # Unchanged files import as no change.
    for text in exported.values():
        result = _import(store, text)
        assert not result.refused and result.changed == [] and not result.written
    # A reviewer changes one text and clears the fuzzy flag of both its registers.
    cy = set_translation(exported["cy"], "title|standard", "Bysiau i'r ganolfan ddydd")
    pl = set_translation(exported["pl"], "q1|easy", "Jak autobus może być lepszy dla Ciebie?")
    edited = {
        "cy": set_translation(cy, "title|easy", "Bysiau i ganolfannau dydd"),
        "pl": set_translation(pl, "q1|standard", "Co poprawiłoby dla Ciebie autobus?"),
        "ar": exported["ar"],
    }
    for text in edited.values():
        result = _import(store, text, reviewed_by="Nia Roberts")
        assert not result.refused, [p.shown("f") for p in result.problems]
    version, live, loaded = _latest(store)
    assert (version, live) == (1, None)  # never open: the latest version is edited
    assert loaded.draft.title["cy"].standard == "Bysiau i'r ganolfan ddydd"
    assert loaded.draft.questions[0].text["pl"].easy == "Jak autobus może być lepszy dla Ciebie?"
    counts = _counts(loaded)
    texts = len(loaded.texts)
    # Only the texts whose entries were all left without the fuzzy flag are reviewed.
    assert counts["cy"] == (1, texts - 1, 0)
    assert counts["pl"] == (1, texts - 1, 0)
    assert counts["ar"] == (0, texts, 0)
    again = read_po(_export(store, "cy").encode())
    title = {(e.text_id, e.register): e for e in again.entries}[("title", "standard")]
    assert (title.translation, title.fuzzy) == ("Bysiau i'r ganolfan ddydd", False)
    # An edit in the workspace that changes the text makes it a draft again.
    with store.unit_of_work() as uow:
        draft = loaded.draft.model_copy(deep=True)
        draft.title["cy"].standard = "Bysiau i ganolfannau dydd"
        consult.update(uow, "buses", draft, "c@example.org", LATER, FLOWS, CATALOGUE)
        uow.commit()
    assert _counts(_latest(store)[2])["cy"] == (0, texts, 0)
    assert _counts(_latest(store)[2])["pl"] == (1, texts - 1, 0)  # carried forward


def test_an_import_into_a_live_consultation_is_a_new_version(store: SqlStore) -> None:
    _made(store, live=True)
    text = set_translation(_export(store, "ro"), "q2|standard", "Cum ajungi la centrul de zi?")
    result = _import(store, text)
    assert result.written and result.changed == ["q2"]
    version, live, loaded = _latest(store)
    assert (version, live) == (2, 2)  # checked, so opened at once, as an edit would be
    assert loaded.draft.questions[1].text["ro"].standard == "Cum ajungi la centrul de zi?"
    with store.reading() as uow:
        first = uow.consultations.version("buses", 1)
    assert first is not None and "Cum ajungi la centru?" in first.document  # kept for views


def test_a_refused_import_names_the_line_and_changes_nothing(store: SqlStore) -> None:
    _made(store, live=True)
    exported = _export(store, "cy")
    with store.reading() as uow:
        before = uow.consultations.version("buses", 1)
    # A placeholder the English does not have (translation parity, an error).
    bad = set_translation(exported, "q2.bus|standard", "Bws {name}")
    bad = set_translation(bad, "title|standard", "Bysiau newydd")  # fine on its own
    result = _import(store, bad, reviewed_by="Nia Roberts")
    assert result.refused and not result.written
    lines = bad.split("\n")
    line = next(i for i, t in enumerate(lines, start=1) if t == 'msgctxt "q2.bus|standard"') + 1
    assert any(p.line == line and p.text_id == "q2.bus" for p in result.problems), [
        p.shown("f") for p in result.problems]
    version, live, loaded = _latest(store)
    assert (version, live) == (1, 1)
    with store.reading() as uow:
        after = uow.consultations.version("buses", 1)
    assert after == before
    assert _counts(loaded)["cy"][0] == 0


def _args(**kw: object) -> argparse.Namespace:
    base: dict[str, object] = {"output": None, "flow": None, "consultation": None,
                               "reviewed_by": None, "language": None, "check": False}
    return argparse.Namespace(**{**base, **kw})


def test_the_command_exports_and_imports_a_consultation_file(
    store: SqlStore, tmp_path: Path
) -> None:
    flows_dir = Path(__file__).resolve().parents[2] / "flows"
    _made(store, live=True)
    out, err = io.StringIO(), io.StringIO()
    code = consultation_command(_args(what="export-po", language="so", consultation="BUSES"),
                             flows_dir, flows_dir / "catalogue", out, err, AT, lambda: store)
    assert code == 0, err.getvalue()
    path = tmp_path / "so.po"
    translated = set_translation(out.getvalue(), "q1|standard", "Maxaa basku ka fiicnaan karaa?")
    translated = set_translation(translated, "q1|easy", "Sidee basku u fiicnaan karaa?")
    path.write_text(translated, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = consultation_command(_args(what="import-po", file=str(path), reviewed_by="Cali Xasan"),
                             flows_dir, flows_dir / "catalogue", out, err, AT, lambda: store)
    assert code == 0, err.getvalue()
    assert "consultation buses (version 2): changed 1 text(s); 1 now reviewed" in out.getvalue()
    path.write_text(set_translation(path.read_text(encoding="utf-8"),
                                    "q1|standard", "Maxaa {name} basku?"), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = consultation_command(_args(what="import-po", file=str(path)),
                             flows_dir, flows_dir / "catalogue", out, err, AT, lambda: store)
    assert code == 2
    assert f"{path}:" in err.getvalue() and "the consultation is unchanged" in err.getvalue()
    assert _latest(store)[0] == 2
