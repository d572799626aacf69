"""`heard catalogue export-po LANG --consultation KEY_OR_ID` and `import-po` of a file whose
header names a consultation (bot.workspace.consult_po). Same exit codes as the
catalogue's commands: 0 done, 2 refused (nothing changed)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.catalogue import load_catalogue
from bot.flowspec.loader import load_flows
from bot.translations.cli import show_problems
from bot.workspace import consult_po as po
from storage.unit_of_work import Store

REFUSED = 2
CLI_EDITOR = "heard catalogue import-po"  # stored as the new version's author


def consultation_command(
    args: argparse.Namespace,
    flows_dir: Path,
    catalogue_dir: Path,
    out: TextIO,
    err: TextIO,
    now: datetime,
    open_store: Callable[[], Store] | None,
) -> int | None:
    """The command's exit code, or None when it is about the catalogue, not a consultation."""
    data = b""
    if args.what == "export-po":
        wanted = getattr(args, "consultation", None)
        if not wanted:
            return None
    else:
        try:
            data = Path(args.file).read_bytes()
        except OSError:
            return None  # the catalogue's import reports it
        wanted = po.consultation_of(data)
        if wanted is None:
            return None
    if open_store is None:
        print("heard catalogue: a consultation's file needs the database", file=err)
        return REFUSED
    flows, catalogue = load_flows(flows_dir), load_catalogue(catalogue_dir)
    store = open_store()
    with store.unit_of_work() as uow:
        record = po.find(uow, wanted)
        if record is None:
            print(f"heard catalogue: no consultation {wanted!r}", file=err)
            return REFUSED
        try:
            if args.what == "export-po":
                text = po.export_po(po.load(uow, record), catalogue, args.language, now)
                if args.output is None:
                    out.write(text)
                else:
                    Path(args.output).write_text(text, encoding="utf-8")
                    print(f"wrote {text.count(chr(10) + 'msgctxt ')} entries to {args.output}",
                          file=err)
                return 0
            result = po.import_po(
                uow, record, flows, catalogue, data, by=args.reviewed_by or CLI_EDITOR, at=now,
                reviewed_by=args.reviewed_by, language=args.language, write=not args.check,
            )
        except po.ConsultationPoError as exc:
            print(f"heard catalogue: {exc}", file=err)
            return REFUSED
        show_problems(result.problems, args.file, err)
        if result.refused:
            errors = sum(1 for p in result.problems if p.severity == "error")
            print(f"{args.file}: refused ({errors} error(s)); the consultation is unchanged",
                  file=err)
            return REFUSED
        uow.commit()
        after = uow.consultations.get(record.consultation_id)
    version = after.latest_version if after else record.latest_version
    verb = "would change" if args.check else "changed"
    print(
        f"consultation {record.consultation_id} (version {version}): {verb} "
        f"{len(result.changed)} text(s); {len(result.reviewed)} now reviewed, "
        f"{len(result.drafted)} back to draft",
        file=out,
    )
    return 0
