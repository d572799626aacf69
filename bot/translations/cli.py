"""`heard catalogue`: PO files for translators (export-po, import-po), marking messages
reviewed, and how many messages of each language are reviewed. A consultation made in the
workspace has PO files too (`export-po --consultation`, and `import-po` of a file whose header
names it): `heard` (bot.cli) hands those to bot.workspace.consult_po_cli first.

Exit codes: 0 done (or nothing to change), 2 refused (nothing was changed).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from bot.translations.review import ImportProblem as Problem

REFUSED = 2
# A file with thousands of errors prints the first ones and a count: the rest are the same
# kind of mistake, and a terminal of them helps no one.
SHOWN_PROBLEMS = 50
# What the commands need (Babel, the lint) is imported when one runs, so that building the
# `heard` parser for any other command imports none of it.


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "catalogue", help="translators' PO files and review status of the message catalogue"
    )
    what = parser.add_subparsers(dest="what", required=True)
    export = what.add_parser(
        "export-po", help="write one language's messages as a PO file (Poedit, Weblate)"
    )
    export.add_argument("language", help="language code, e.g. cy")
    export.add_argument("--flow", default=None, help="only the texts one flow shows (its name)")
    export.add_argument(
        "--consultation",
        default=None,
        help="a consultation made in the workspace (its keyword or id): its latest version",
    )
    export.add_argument("--output", "-o", default=None, help="file to write (default stdout)")
    imp = what.add_parser(
        "import-po", help="check, lint and apply a translated PO file (all or nothing)"
    )
    imp.add_argument("file")
    imp.add_argument(
        "--reviewed-by",
        default=None,
        help="the reviewer's name: translated entries without the fuzzy flag become reviewed",
    )
    imp.add_argument("--language", default=None, help="instead of the file's Language header")
    imp.add_argument("--check", action="store_true", help="report only; change nothing")
    review = what.add_parser(
        "review", help="mark messages reviewed by a named reviewer, texts unchanged"
    )
    review.add_argument("language")
    review.add_argument("ids", nargs="+", help="message ids")
    review.add_argument("--reviewed-by", required=True)
    what.add_parser("status", help="reviewed and draft messages per language")
    return parser


def catalogue_command(
    args: argparse.Namespace,
    flows_dir: Path,
    catalogue_dir: Path,
    out: TextIO,
    err: TextIO,
    now: datetime | None = None,
) -> int:
    """The catalogue's files; a consultation's were handed on before (bot.cli)."""
    from bot.catalogue import CatalogueError
    from bot.translations.catalogue import mark_reviewed

    try:
        if args.what == "export-po":
            return _export(args, flows_dir, catalogue_dir, out, err, now or datetime.now(UTC))
        if args.what == "import-po":
            return _import(args, flows_dir, catalogue_dir, out, err)
        if args.what == "review":
            marked = mark_reviewed(catalogue_dir, args.language, args.ids, args.reviewed_by)
            who = args.reviewed_by.strip()
            print(f"{len(marked)} message(s) marked reviewed by {who}", file=out)
            return 0
        return _status(catalogue_dir, out)
    except CatalogueError as exc:
        print(f"heard catalogue: {exc}", file=err)
        return REFUSED


def _export(
    args: argparse.Namespace,
    flows_dir: Path,
    catalogue_dir: Path,
    out: TextIO,
    err: TextIO,
    now: datetime,
) -> int:
    from bot.translations.catalogue import export_po

    text = export_po(catalogue_dir, flows_dir, args.language, now, args.flow)
    if args.output is None:
        out.write(text)
        return 0
    Path(args.output).write_text(text, encoding="utf-8")
    entries = text.count("\nmsgctxt ")
    print(f"wrote {entries} entries to {args.output}", file=err)
    return 0


def _import(
    args: argparse.Namespace, flows_dir: Path, catalogue_dir: Path, out: TextIO, err: TextIO
) -> int:
    from bot.lint.runner import shown_path
    from bot.translations.catalogue import import_po

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"heard catalogue: cannot read {path}: {exc.strerror}", file=err)
        return REFUSED
    result = import_po(
        catalogue_dir,
        flows_dir,
        data,
        reviewed_by=args.reviewed_by,
        language=args.language,
        write=not args.check,
    )
    show_problems(result.problems, str(path), err)
    if result.refused:
        errors = sum(1 for p in result.problems if p.severity == "error")
        print(f"{path}: refused ({errors} error(s)); the catalogue is unchanged", file=err)
        return REFUSED
    target = f"flows/catalogue/{result.language}.yaml"
    if result.language:
        target = shown_path(catalogue_dir / f"{result.language}.yaml")
    verb = "would change" if args.check else "changed"
    print(
        f"{target}: {verb} {len(result.changed)} message(s); "
        f"{len(result.reviewed)} now reviewed, {len(result.drafted)} back to draft",
        file=out,
    )
    return 0


def show_problems(problems: Sequence[Problem], shown_as: str, err: TextIO) -> None:
    """Errors first, in file order; at most SHOWN_PROBLEMS of them, then how many more."""
    ordered = sorted(problems, key=lambda p: (p.severity != "error", p.line))
    for problem in ordered[:SHOWN_PROBLEMS]:
        print(problem.shown(shown_as), file=err)
    if len(ordered) > SHOWN_PROBLEMS:
        print(f"{shown_as}: ... and {len(ordered) - SHOWN_PROBLEMS} more", file=err)


def _status(catalogue_dir: Path, out: TextIO) -> int:
    from bot.catalogue import load_catalogue
    from bot.translations.catalogue import review_counts

    print(f"{'language':<14}{'reviewed':>9}{'draft':>7}{'missing':>9}  reviewers", file=out)
    for c in review_counts(load_catalogue(catalogue_dir)):
        name = f"{c.language} {c.english_name}"
        reviewers = ", ".join(c.reviewers) or "-"
        print(f"{name:<14.14}{c.reviewed:>9}{c.draft:>7}{c.missing:>9}  {reviewers}", file=out)
    return 0
