"""`heard catalogue export-po / import-po` on a copy of the shipped flows and catalogue: what a
translator, a reviewer and Poedit or Weblate see, and what reaches the catalogue YAML."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po as babel_read_po

from bot.catalogue import load_catalogue
from bot.catalogue.model import BASE_LANGUAGE
from bot.lint.runner import run_lint
from bot.translations.catalogue import export_po, import_po, mark_reviewed, review_counts
from bot.translations.po import read_po

REPOSITORY = Path(__file__).resolve().parents[2]
FLOWS = REPOSITORY / "flows"
HEARD = Path(sys.executable).parent / "heard"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
LANGUAGES = [c for c in load_catalogue(FLOWS / "catalogue").codes if c != BASE_LANGUAGE]


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    copy = tmp_path / "flows"
    shutil.copytree(FLOWS, copy)
    return copy


def export(flows: Path, language: str, flow: str | None = None) -> str:
    return export_po(flows / "catalogue", flows, language, NOW, flow)


def entry_block(po: str, context: str) -> str:
    """The lines of one entry, from its comments to its msgstr."""
    for block in po.split("\n\n"):
        if f'msgctxt "{context}"' in block:
            return block
    raise AssertionError(f"no entry {context}")


def with_translation(po: str, context: str, text: str, fuzzy: bool | None = None) -> str:
    block = entry_block(po, context)
    changed = re.sub(r'msgstr ".*"$', lambda _: f'msgstr "{text}"', block, flags=re.M)
    if fuzzy is False:
        changed = changed.replace("#, fuzzy, ", "#, ").replace("#, fuzzy\n", "")
    assert changed != block or fuzzy is None
    return po.replace(block, changed)


def line_of(po: str, context: str) -> int:
    lines = po.splitlines()
    at = lines.index(f'msgctxt "{context}"')
    return at + 2  # the msgid line, 1-based


def reviewed_clean(po: str, *contexts: str) -> str:
    for context in contexts:
        block = entry_block(po, context)
        po = po.replace(block, block.replace("#, fuzzy, ", "#, ").replace("#, fuzzy\n", ""))
    return po


# --- round trip --------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_export_then_import_changes_nothing(flows: Path, language: str) -> None:
    path = flows / "catalogue" / f"{language}.yaml"
    before = path.read_bytes()
    po = export(flows, language)
    for reviewer in (None, "Ana Jones"):
        result = import_po(flows / "catalogue", flows, po.encode(), reviewed_by=reviewer)
        assert not result.problems, result.problems
        assert (result.changed, result.reviewed, result.drafted) == ([], [], [])
        assert path.read_bytes() == before
    english = load_catalogue(flows / "catalogue").languages[BASE_LANGUAGE]
    assert po.count("\nmsgctxt ") == 2 * len(english.messages)


# --- what Poedit and Weblate read --------------------------------------------------------


def test_babel_reads_back_every_entry_with_its_context_english_and_draft_flag(
    flows: Path,
) -> None:
    po = export(flows, "pl")
    catalog = babel_read_po(io.StringIO(po))
    assert catalog.locale_identifier == "pl"
    catalogue = load_catalogue(flows / "catalogue")
    english, polish = catalogue.languages["en"], catalogue.languages["pl"]
    messages = [m for m in catalog if m.id]
    assert len(messages) == 2 * len(english.messages)
    first = next(m for m in messages if m.context == "common.handover_noted_contact|easy")
    assert first.id == english.messages["common.handover_noted_contact"].easy
    assert first.string == polish.messages["common.handover_noted_contact"].easy
    assert first.fuzzy  # every shipped translation is a draft
    assert "python-brace-format" in first.flags
    assert any("{contact}" in note for note in first.auto_comments)
    assert any(note.startswith("Easy read: at most 15 words") for note in first.auto_comments)
    assert any(note.startswith("SMS: at most 2 segments") for note in first.auto_comments)


def test_each_text_says_where_a_flow_uses_it(flows: Path) -> None:
    catalog = babel_read_po(io.StringIO(export(flows, "cy")))
    message = next(m for m in catalog if m.context == "hys.q_matters|standard")
    (where,) = message.locations
    file, line = where
    assert file.endswith("have_your_say.yaml")
    text = (flows / "have_your_say.yaml").read_text(encoding="utf-8").splitlines()
    assert text[int(line or 0) - 1].strip() == "text: hys.q_matters"


def test_one_consultation_alone(flows: Path) -> None:
    po = export(flows, "so", flow="have_your_say")
    contexts = {m.context for m in babel_read_po(io.StringIO(po)) if m.id}
    ids = {str(c).split("|")[0] for c in contexts}
    assert "hys.q_better" in ids and "common.prefer_not_to_say" in ids
    assert not any(i.startswith(("consent.", "about.")) for i in ids)
    assert all(i.startswith("hys.") or i.startswith("common.") for i in ids)


def _msgfmt() -> str:
    found = shutil.which("msgfmt")
    if found is None:
        pytest.skip("gettext's msgfmt is not installed (.ci/run installs it)")
    return found


def test_msgfmt_accepts_the_export_and_checks_placeholders(flows: Path, tmp_path: Path) -> None:
    msgfmt = _msgfmt()
    po = export(flows, "ro")
    path = tmp_path / "ro.po"
    # As a reviewer leaves it (no fuzzy flags): msgfmt checks every entry then.
    path.write_text(po.replace("#, fuzzy, ", "#, ").replace("#, fuzzy\n", ""), encoding="utf-8")
    checked = subprocess.run(
        [msgfmt, "--check", "-o", os.devnull, str(path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr == ""
    broken = with_translation(
        path.read_text(encoding="utf-8"),
        "common.handover_noted_contact|standard",
        "Echipa: {contakt}",
    )
    path.write_text(broken, encoding="utf-8")
    checked = subprocess.run(
        [msgfmt, "--check", "-o", os.devnull, str(path)], capture_output=True, text=True
    )
    assert checked.returncode != 0
    assert "contakt" in checked.stderr or "format" in checked.stderr


# --- imports the lint refuses ------------------------------------------------------------


def test_a_broken_placeholder_is_refused_with_its_line_and_nothing_changes(
    flows: Path,
) -> None:
    path = flows / "catalogue" / "cy.yaml"
    before = path.read_bytes()
    po = export(flows, "cy")
    context = "common.handover_noted_contact|standard"
    po = with_translation(po, "common.yes|standard", "Ie wir")  # a good change beside it
    po = with_translation(po, context, "Diolch. Gallwch gysylltu â'r tîm: {contakt}")
    result = import_po(flows / "catalogue", flows, po.encode())
    assert result.refused and not result.written
    (error,) = [p for p in result.problems if p.severity == "error"]
    assert (error.line, error.text_id, error.register) == (
        line_of(po, context),
        "common.handover_noted_contact",
        "standard",
    )
    assert "placeholders ['contakt'] differ from English ['contact']" in error.reason
    assert path.read_bytes() == before


def test_an_sms_too_long_is_refused_naming_the_segments(flows: Path) -> None:
    path = flows / "catalogue" / "pl.yaml"
    before = path.read_bytes()
    po = export(flows, "pl")
    context = "common.not_understood|easy"
    long = "Przepraszamy. " * 30
    result = import_po(
        flows / "catalogue", flows, with_translation(po, context, long.strip()).encode()
    )
    errors = [p for p in result.problems if p.severity == "error"]
    assert [(e.line, e.text_id, e.register) for e in errors if "ER-15" in e.reason] == [
        (line_of(po, context), "common.not_understood", "easy")
    ]
    assert any("SMS segments" in e.reason for e in errors)
    assert path.read_bytes() == before


def test_the_command_prints_file_line_id_and_reason_and_exits_2(
    flows: Path, tmp_path: Path
) -> None:
    path = flows / "catalogue" / "ar.yaml"
    before = path.read_bytes()
    po = export(flows, "ar")
    context = "common.handover_noted_contact|easy"
    broken = tmp_path / "ar.po"
    broken.write_text(with_translation(po, context, "شكرا {contakt}"), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEARD_")}
    env.update(HEARD_FLOWS_DIR=str(flows), HEARD_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run(
        [str(HEARD), "catalogue", "import-po", str(broken)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert (
        f"{broken}:{line_of(po, context)}: error: common.handover_noted_contact [easy]: [ER-19]"
        in done.stderr
    )
    assert "the catalogue is unchanged" in done.stderr
    assert path.read_bytes() == before


def test_an_unknown_id_or_changed_english_is_refused(flows: Path) -> None:
    po = export(flows, "bn")
    stale = entry_block(po, "common.no|standard")
    po = po.replace(stale, stale.replace('msgid "No"', 'msgid "Nope"'))
    po = po.replace('msgctxt "common.yes|easy"', 'msgctxt "common.yes_please|easy"')
    result = import_po(flows / "catalogue", flows, po.encode())
    reasons = sorted((p.text_id, p.reason) for p in result.problems)
    assert reasons == [
        ("common.no", "the English text changed since this file was exported: export again"),
        ("common.yes_please", "no such message in English"),
    ]
    assert not result.written


def test_a_file_that_is_not_po_is_refused_with_its_line(flows: Path) -> None:
    result = import_po(flows / "catalogue", flows, b'msgid "a"\nmsgstr "b"\nnonsense here\n')
    assert result.refused
    assert result.problems[0].line == 3


# --- review status -----------------------------------------------------------------------


def status_of(flows: Path, language: str, text_id: str) -> tuple[bool, str | None]:
    entry = load_catalogue(flows / "catalogue").languages[language].messages[text_id]
    return entry.reviewed, entry.reviewed_by


def test_review_moves_only_with_a_named_reviewer_and_a_plain_change_drafts_it(
    flows: Path,
) -> None:
    catalogue_dir = flows / "catalogue"
    path = catalogue_dir / "cy.yaml"
    po = export(flows, "cy")
    cleared = reviewed_clean(po, "common.yes|standard", "common.yes|easy", "common.no|standard")

    # A plain import of the cleared flags reviews nothing.
    assert import_po(catalogue_dir, flows, cleared.encode()).changed == []
    assert status_of(flows, "cy", "common.yes") == (False, None)

    # With a reviewer: only the message whose every entry is cleared is reviewed.
    before = path.read_text(encoding="utf-8")
    result = import_po(catalogue_dir, flows, cleared.encode(), reviewed_by="Ana Jones")
    assert result.reviewed == ["common.yes"] and result.changed == []
    assert status_of(flows, "cy", "common.yes") == (True, "Ana Jones")
    assert status_of(flows, "cy", "common.no") == (False, None)
    added = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line not in before.splitlines()
    ]
    assert added[:2] == ["    status: reviewed", '    reviewed_by: "Ana Jones"']
    assert re.fullmatch(r'    reviewed_text: "[0-9a-f]{12}"', added[2])
    counts = {c.language: c for c in review_counts(load_catalogue(catalogue_dir))}
    drafts = counts["cy"].reviewed + counts["cy"].draft - 1
    assert (counts["cy"].reviewed, counts["cy"].reviewers) == (1, ("Ana Jones",))
    assert (counts["pl"].reviewed, counts["pl"].draft) == (0, drafts + 1)
    lint = run_lint(flows, catalogue_dir)
    summary = f"Welsh: 1 messages reviewed by Ana Jones, {drafts} draft"
    assert any(p.rule == "CAT-REVIEW" and p.message == summary for p in lint.problems)

    # The export shows it reviewed (no fuzzy flag); exporting and importing again changes
    # nothing.
    again = export(flows, "cy")
    assert "fuzzy" not in entry_block(again, "common.yes|standard")
    reviewed_bytes = path.read_bytes()
    assert import_po(catalogue_dir, flows, again.encode()).changed == []
    assert path.read_bytes() == reviewed_bytes

    # A plain import that changes the text makes it a draft again.
    changed = with_translation(again, "common.yes|standard", "Ie wir")
    result = import_po(catalogue_dir, flows, changed.encode())
    assert (result.changed, result.drafted) == (["common.yes"], ["common.yes"])
    assert status_of(flows, "cy", "common.yes") == (False, None)
    assert (
        "reviewed"
        not in path.read_text(encoding="utf-8").split("common.no:")[0].split("common.yes:")[1]
    )

    # A changed text imported by a reviewer, flags cleared, is reviewed at once.
    result = import_po(
        catalogue_dir,
        flows,
        with_translation(again, "common.yes|standard", "Iawn", fuzzy=False).encode(),
        reviewed_by="Bethan Rees",
    )
    assert result.reviewed == ["common.yes"]
    assert status_of(flows, "cy", "common.yes") == (True, "Bethan Rees")


def test_a_hand_edit_after_review_counts_as_draft(flows: Path) -> None:
    catalogue_dir = flows / "catalogue"
    assert mark_reviewed(catalogue_dir, "pl", ["common.yes"], "Jan Nowak") == ["common.yes"]
    assert status_of(flows, "pl", "common.yes") == (True, "Jan Nowak")
    path = catalogue_dir / "pl.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('    standard: "Tak"', '    standard: "Tak, tak"', 1), "utf-8")
    assert status_of(flows, "pl", "common.yes") == (False, "Jan Nowak")
    lint = run_lint(flows, catalogue_dir)
    (stale,) = [p for p in lint.problems if p.rule == "CAT-REVIEW" and p.severity == "warning"]
    assert "text changed since Jan Nowak reviewed it" in stale.message


def test_a_reviewer_flagging_a_reviewed_text_fuzzy_makes_it_a_draft(flows: Path) -> None:
    catalogue_dir = flows / "catalogue"
    mark_reviewed(catalogue_dir, "so", ["common.no"], "Hodan Ali")
    po = export(flows, "so")
    block = entry_block(po, "common.no|easy")
    assert "fuzzy" not in block
    flagged = po.replace(block, block.replace('msgctxt "', '#, fuzzy\nmsgctxt "'))
    assert import_po(catalogue_dir, flows, flagged.encode()).drafted == []  # no reviewer
    assert status_of(flows, "so", "common.no") == (True, "Hodan Ali")
    result = import_po(catalogue_dir, flows, flagged.encode(), reviewed_by="Hodan Ali")
    assert result.drafted == ["common.no"]
    assert status_of(flows, "so", "common.no") == (False, None)


def test_a_message_the_language_lacks_is_added_in_english_order(flows: Path) -> None:
    catalogue_dir = flows / "catalogue"
    path = catalogue_dir / "ur.yaml"
    original = path.read_text(encoding="utf-8")
    po = export(flows, "ur")
    entry = load_catalogue(catalogue_dir).languages["ur"].messages["common.other"]
    lines = original.splitlines(keepends=True)
    start = lines.index("  common.other:\n")
    path.write_text("".join(lines[:start] + lines[start + 3 :]), encoding="utf-8")
    result = import_po(catalogue_dir, flows, po.encode())
    assert result.changed == ["common.other"] and result.written
    assert path.read_text(encoding="utf-8") == original
    assert load_catalogue(catalogue_dir).languages["ur"].messages["common.other"] == entry


def test_quotes_and_backslashes_survive_the_round_trip(flows: Path) -> None:
    catalogue_dir = flows / "catalogue"
    po = export(flows, "ro")
    text = 'Trimiteți \\"DA\\" sau \\\\ NU'
    result = import_po(
        catalogue_dir, flows, with_translation(po, "common.other|standard", text).encode()
    )
    assert result.written, result.problems
    entry = load_catalogue(catalogue_dir).languages["ro"].messages["common.other"]
    assert entry.standard == 'Trimiteți "DA" sau \\ NU'
    assert read_po(export(flows, "ro").encode()).entries  # the export reads back
    before = (catalogue_dir / "ro.yaml").read_bytes()
    assert import_po(catalogue_dir, flows, export(flows, "ro").encode()).changed == []
    assert (catalogue_dir / "ro.yaml").read_bytes() == before


def test_english_is_the_source_not_a_translation(flows: Path) -> None:
    with pytest.raises(ValueError, match="source language"):
        export(flows, "en")


def test_a_longer_choice_label_is_refused_where_it_makes_a_question_too_long(
    flows: Path,
) -> None:
    """The lint measures a question with its choices: a Polish "yes" of 60 characters pushes
    the questions that show it over the SMS budget, and the import names those questions."""
    po = export(flows, "pl")
    label = "Tak, zdecydowanie się zgadzam i bardzo dziękuję za to pytanie"
    result = import_po(
        flows / "catalogue", flows, with_translation(po, "common.yes|standard", label).encode()
    )
    assert result.refused and not result.written
    elsewhere = [
        p
        for p in result.problems
        if p.severity == "error" and p.text_id != "common.yes" and "[ER-15]" in p.reason
    ]
    assert elsewhere
    for problem in elsewhere:
        assert problem.line == line_of(po, f"{problem.text_id}|{problem.register}")


def test_a_file_saved_on_windows_imports_the_same(flows: Path) -> None:
    """Some editors save with CRLF line ends and a byte order mark: the same entries."""
    path = flows / "catalogue" / "pa.yaml"
    po = with_translation(export(flows, "pa"), "common.other|easy", "ਕੁਝ ਹੋਰ ਵੀ")
    saved = b"\xef\xbb\xbf" + po.replace("\n", "\r\n").encode()
    result = import_po(flows / "catalogue", flows, saved, write=False)
    assert (result.changed, result.problems, result.written) == (["common.other"], [], False)
    assert load_catalogue(flows / "catalogue").languages["pa"].messages["common.other"].easy != (
        "ਕੁਝ ਹੋਰ ਵੀ"
    )
    assert path.read_bytes() == (FLOWS / "catalogue" / "pa.yaml").read_bytes()


def test_a_file_in_another_language_is_refused(flows: Path) -> None:
    result = import_po(flows / "catalogue", flows, export(flows, "cy").encode(), language="pl")
    assert [p.reason for p in result.problems] == ["the file is in 'cy', not 'pl'"]


def test_the_status_command_counts_reviewed_and_draft_per_language(
    flows: Path, tmp_path: Path
) -> None:
    mark_reviewed(flows / "catalogue", "ro", ["common.yes", "common.no"], "Ioana Pop")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEARD_")}
    env.update(HEARD_FLOWS_DIR=str(flows), HEARD_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run(
        [str(HEARD), "catalogue", "status"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    total = len(load_catalogue(flows / "catalogue").languages["ro"].messages)
    rows = {line.split()[0]: line.split() for line in done.stdout.splitlines()[1:]}
    assert rows["ro"][2:6] == ["2", str(total - 2), "0", "Ioana"]
    assert rows["cy"][2:5] == ["0", str(total), "0"]


def test_a_catalogue_file_in_another_shape_is_left_alone(flows: Path) -> None:
    """A message written as a folded block by hand cannot be edited line by line: the import
    says so and writes nothing, rather than rewrite the file."""
    path = flows / "catalogue" / "cy.yaml"
    text = path.read_text(encoding="utf-8")
    folded = text.replace('    easy: "Ie"\n', "    easy: >-\n      Ie\n", 1)
    assert folded != text
    path.write_text(folded, encoding="utf-8")
    po = with_translation(export(flows, "cy"), "common.no|standard", "Na wir")
    result = import_po(flows / "catalogue", flows, po.encode())
    assert result.refused and not result.written
    assert "not a message id or a one-line field" in result.problems[0].reason
    assert path.read_text(encoding="utf-8") == folded


def test_lint_counts_a_review_without_a_name_or_status_it_does_not_know_as_draft(
    flows: Path,
) -> None:
    path = flows / "catalogue" / "bn.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    yes, no = lines.index("  common.yes:\n"), lines.index("  common.no:\n")
    lines.insert(no + 3, "    status: approved\n")
    lines.insert(yes + 3, "    status: reviewed\n")
    path.write_text("".join(lines), encoding="utf-8")
    assert status_of(flows, "bn", "common.yes") == (False, None)
    found = {
        p.location: p.message
        for p in run_lint(flows, flows / "catalogue").problems
        if p.rule == "CAT-REVIEW" and p.severity == "warning"
    }
    assert found == {
        "message common.yes [bn]": "marked reviewed without a named reviewer: counted as draft",
        "message common.no [bn]": "status 'approved': draft or reviewed",
    }


def test_a_file_with_many_errors_shows_the_first_fifty_and_counts_the_rest(
    flows: Path, tmp_path: Path
) -> None:
    import argparse

    from bot.translations.cli import SHOWN_PROBLEMS, catalogue_command

    path = flows / "catalogue" / "cy.yaml"
    before = path.read_bytes()
    # Every translation names a placeholder English does not have: one error per text.
    broken = re.sub(r'^msgstr ".*"$', 'msgstr "{nope}"', export(flows, "cy"), flags=re.M)
    po_file = tmp_path / "cy.po"
    po_file.write_text(broken, encoding="utf-8")
    args = argparse.Namespace(
        what="import-po", file=str(po_file), reviewed_by=None, language=None, check=False
    )
    out, err = io.StringIO(), io.StringIO()
    assert catalogue_command(args, flows, flows / "catalogue", out, err, NOW) == 2
    total = import_po(flows / "catalogue", flows, broken.encode()).problems
    assert len(total) > 2 * SHOWN_PROBLEMS
    lines = err.getvalue().splitlines()
    shown = [line for line in lines if line.startswith(f"{po_file}:") and ": error: " in line]
    assert len(shown) == SHOWN_PROBLEMS
    assert f"and {len(total) - SHOWN_PROBLEMS} more" in err.getvalue()
    assert "the catalogue is unchanged" in lines[-1]
    assert path.read_bytes() == before
