"""`heard export views`: the workspace's export on the command line, with the inbox's filters.
A progress line goes to stderr only when stderr is a terminal, so piped output and logs stay
clean."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from bot.config import Settings
from bot.export import ExportError, ExportRequest, check_request, write_export
from bot.runtime import Runtime
from storage.records import ViewFilters, ViewStatus


def _date(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        day = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ExportError(f"{option} {value!r} is not a date like 2026-11-27") from exc
    return day if day.tzinfo is not None else day.replace(tzinfo=UTC)


def _day_after(value: str | None) -> datetime | None:
    """--until names the last day included: views before the next midnight (UTC)."""
    day = _date(value, "--until")
    try:
        return None if day is None else day + timedelta(days=1)
    except OverflowError as exc:  # 9999-12-31 has no next midnight
        raise ExportError(f"--until {value!r} is not a date like 2026-11-27") from exc


def export_command(settings: Settings, args: argparse.Namespace) -> int:
    runtime = Runtime(settings)
    store = runtime.store
    try:
        with store.unit_of_work() as uow:
            theme_id = None
            if args.theme is not None:
                found = [t for t in uow.themes.all() if t.name.lower() == args.theme.lower()]
                if not found:
                    names = ", ".join(t.name for t in uow.themes.all()) or "none"
                    raise ExportError(f"there is no theme {args.theme!r}; known: {names}")
                theme_id = found[0].theme_id
            status: ViewStatus | None = args.status
            filters = ViewFilters(
                consultation=args.consultation,
                question_id=args.question,
                language=args.language,
                register=args.register,
                channel=args.channel,
                since=_date(args.since, "--since"),
                until=_day_after(args.until),
                theme_id=theme_id,
                status=status,
            )
            if args.format == "xlsx" and args.output is None:
                raise ExportError("an xlsx export needs --output FILE")
            request = ExportRequest(filters, args.format, args.questions_in, args.history)
            check_request(uow, runtime.questions, request)
            total = uow.view_inbox.counts(filters).total if sys.stderr.isatty() else 0

            def progress(done: int) -> None:
                share = f" ({100 * done // total}%)" if total else ""
                print(f"\rExported {done:,} of {total:,}{share}", end="", file=sys.stderr)

            entries = uow.view_inbox.stream(filters, history=request.history)
            show = progress if sys.stderr.isatty() else None
            out: IO[Any] | str
            if args.output is None:
                count = write_export(entries, runtime.questions, request, sys.stdout, show)
            elif args.format == "xlsx":
                count = write_export(entries, runtime.questions, request, args.output, show)
            else:
                with open(args.output, "w", encoding="utf-8", newline="") as out:
                    count = write_export(entries, runtime.questions, request, out, show)
            if show is not None:
                print(file=sys.stderr)
            if args.output is not None:
                noun = "view" if count == 1 else "views"
                print(f"{count} {noun} written to {args.output}", file=sys.stderr)
    except ExportError as exc:
        print(f"heard export views: {exc}", file=sys.stderr)
        return 2
    return 0
