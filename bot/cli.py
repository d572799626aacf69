"""The `heard` command: run the service or its workers, chat in the terminal, export views,
lint, check NLU."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from bot.config import ConfigError, load_settings
from bot.logs import UVICORN_LOG_CONFIG, configure_logging

if TYPE_CHECKING:
    from storage.unit_of_work import Store

log = logging.getLogger("heard")

DEFAULT_ADDRESS = {"sms": "+447700900000", "telegram": "100000000"}


def _collect_from_here() -> None:
    """Start-up is over: its objects (modules, flows, catalogue, classifier) are long-lived.

    `main` turns the cyclic garbage collector off while a command starts, because starting
    makes hundreds of thousands of objects and almost no garbage, and each collection pass would
    walk them all (about a tenth of a second of CPU per start). A command whose work then grows
    with its input (a service, a chat, an export, a batch) calls this: what start-up made is
    frozen out of every later pass, and collection runs as usual from here."""
    gc.freeze()
    gc.enable()


def _configure_logging(level: str) -> None:
    # All log set-up (library caps, redaction) lives in bot.logs.
    configure_logging(level, sys.stderr)


def _cmd_run(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.app import create_app

    settings = load_settings()
    _configure_logging(settings.log_level)
    app = create_app(settings, telegram_polling=args.telegram_polling, workers=not args.no_workers)
    _collect_from_here()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="info",
        log_config=UVICORN_LOG_CONFIG,
        proxy_headers=False,
    )
    return 0


def _cmd_worker(args: argparse.Namespace) -> int:
    import asyncio
    import signal

    from bot.runtime import Runtime
    from bot.workers import Workers, lower_priority

    settings = load_settings()
    _configure_logging(settings.log_level)
    lower_priority(settings.worker_nice)
    for note in settings.notes:
        log.info(note)
    runtime = Runtime(settings)
    runtime.engine  # noqa: B018  (flows and catalogue are checked before any claim)
    runtime.store  # noqa: B018
    _collect_from_here()

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await Workers(runtime, poll_seconds=args.poll).run(stop)

    asyncio.run(main())
    return 0


def _cmd_chat(args: argparse.Namespace) -> int:
    from bot.chat import run_chat

    settings = load_settings()
    _configure_logging("WARNING")
    address = args.sender or DEFAULT_ADDRESS[args.channel]
    return run_chat(
        settings, args.channel, address, sys.stdin, sys.stdout, ready=_collect_from_here
    )


def _cmd_export(args: argparse.Namespace) -> int:
    from bot.export_cli import export_command

    settings = load_settings()
    _configure_logging("WARNING")
    _collect_from_here()  # rows as they come: the collector runs
    return export_command(settings, args)


def _cmd_lint(args: argparse.Namespace) -> int:
    from bot.lint.runner import lint_command

    settings = load_settings()
    _configure_logging("WARNING")
    return lint_command(settings.flows_dir, settings.catalogue_dir, strict=args.strict)


def _cmd_nlu_parse(args: argparse.Namespace) -> int:
    import json

    from bot.nlu.report import parse_report
    from bot.runtime import Runtime

    settings = load_settings()
    _configure_logging("WARNING")
    runtime = Runtime(settings)
    nlu, guesser = runtime.nlu, runtime.guesser
    if not args.batch:
        if args.text is None:
            print(
                "heard nlu parse: give a text, or --batch to read lines from stdin", file=sys.stderr
            )
            return 2
        out = parse_report(nlu, guesser, args.text, args.lang)
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    # One text per line in, one JSON object per line out, in order; an empty line gets an
    # object too, so the output lines up with the input.
    _collect_from_here()
    for line in sys.stdin:
        text = line.rstrip("\r\n")
        sys.stdout.write(
            json.dumps(parse_report(nlu, guesser, text, args.lang), ensure_ascii=False)
        )
        sys.stdout.write("\n")
    sys.stdout.flush()
    return 0


def _cmd_dead(args: argparse.Namespace) -> int:
    from bot.runtime import Runtime

    settings = load_settings()
    _configure_logging("WARNING")
    with Runtime(settings).store.unit_of_work() as uow:
        queue = uow.inbox if args.command == "inbox" else uow.outbox
        dead = queue.dead_letters(limit=args.limit)
    # Ids, channels, times, attempts and error types: never a payload, address or text.
    for letter in dead:
        print(
            f"{letter.row_id}\t{letter.channel}\t{letter.queued_at.isoformat()}"
            f"\t{letter.attempts}\t{letter.error or ''}"
        )
    print(f"{len(dead)} dead {args.command} row(s)", file=sys.stderr)
    return 0


def _cmd_keys_rotate(args: argparse.Namespace) -> int:
    from bot.keys import rotate_keys
    from bot.runtime import Runtime

    settings = load_settings()
    _configure_logging("WARNING")
    store = Runtime(settings).store
    _collect_from_here()
    print(f"re-encrypting under key {store.cipher.current_key_id}", flush=True)
    totals = rotate_keys(store, sys.stdout, batch=args.batch, pause=args.pause)
    if totals["unreadable"] or totals["conflicts"]:
        print(
            "heard keys rotate: some rows were left as they were (see the counts); "
            "`heard inbox dead` and `heard outbox dead` list dead rows",
            file=sys.stderr,
        )
        return 1
    return 0


def _cmd_keys_new(args: argparse.Namespace) -> int:
    from storage.crypto import generate_secret

    print(generate_secret())
    return 0


def _cmd_telegram_set_webhook(args: argparse.Namespace) -> int:
    from bot.channels.telegram.admin import set_webhook

    settings = load_settings()
    _configure_logging(settings.log_level)
    return set_webhook(settings, drop_pending=args.drop_pending)


def _cmd_users(args: argparse.Namespace) -> int:
    from bot.workspace.cli import users_command

    settings = load_settings()
    _configure_logging("WARNING")
    return users_command(settings, args, sys.stdout, sys.stdin)


def _cmd_catalogue(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from bot.translations.cli import catalogue_command
    from bot.workspace.consult_po_cli import consultation_command

    settings = load_settings()
    _configure_logging("WARNING")
    def open_store() -> Store:  # consultations' PO files only: the catalogue needs no database
        from bot.runtime import Runtime

        return Runtime(settings).store

    if args.what in ("export-po", "import-po"):  # a consultation's file, or None
        done = consultation_command(
            args, settings.flows_dir, settings.catalogue_dir, sys.stdout, sys.stderr,
            datetime.now(UTC), open_store,
        )
        if done is not None:
            return done
    return catalogue_command(
        args, settings.flows_dir, settings.catalogue_dir, sys.stdout, sys.stderr
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="heard", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the web service (webhooks, simulator, /healthz)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument(
        "--telegram-polling",
        action="store_true",
        help="fetch Telegram updates by polling instead of a webhook (local development)",
    )
    run.add_argument(
        "--no-workers",
        action="store_true",
        help="serve webhooks only; `heard worker` processes handle the inbox and outbox",
    )
    run.set_defaults(func=_cmd_run)

    worker = sub.add_parser(
        "worker", help="run the inbox and outbox workers without the web service"
    )
    worker.add_argument(
        "--poll", type=float, default=0.25, help="seconds between looks at an idle queue"
    )
    worker.set_defaults(func=_cmd_worker)

    chat = sub.add_parser("chat", help="talk to Heard in the terminal (reads lines from stdin)")
    chat.add_argument("--channel", choices=("sms", "telegram"), default="sms")
    chat.add_argument(
        "--from", dest="sender", default=None, help="phone number or chat id to talk as"
    )
    chat.set_defaults(func=_cmd_chat)

    export = sub.add_parser("export", help="print stored data for coordinators")
    export_sub = export.add_subparsers(dest="what", required=True)
    views = export_sub.add_parser(
        "views", help="stored views (each person's latest answer to each question)"
    )
    views.add_argument("--format", choices=("csv", "xlsx", "jsonl"), default="csv")
    views.add_argument(
        "--output", default=None, help="file to write (default stdout; needed for xlsx)"
    )
    views.add_argument("--consultation", default=None)
    views.add_argument("--question", default=None, help="a question id (flow step id)")
    views.add_argument("--language", default=None, help="the person's language code")
    views.add_argument("--register", choices=("standard", "easy"), default=None)
    views.add_argument("--channel", default=None)
    views.add_argument("--since", default=None, help="from this date (YYYY-MM-DD, UTC)")
    views.add_argument("--until", default=None, help="to this day, included (YYYY-MM-DD, UTC)")
    views.add_argument("--theme", default=None, help="a theme's name")
    views.add_argument("--status", choices=("new", "read", "shared", "acted_on"), default=None)
    views.add_argument(
        "--history", action="store_true", help="earlier answers to a question too"
    )
    views.add_argument(
        "--questions-in", default="en", help="language of the question column (default en)"
    )
    views.set_defaults(func=_cmd_export)

    lint = sub.add_parser("lint", help="check flows and the message catalogue")
    lint.add_argument("--strict", action="store_true", help="warnings fail too")
    lint.set_defaults(func=_cmd_lint)

    nlu = sub.add_parser("nlu", help="check what Heard understands")
    nlu_sub = nlu.add_subparsers(dest="what", required=True)
    parse = nlu_sub.add_parser("parse", help="print the intent and language of a text as JSON")
    parse.add_argument("text", nargs="?", default=None)
    parse.add_argument(
        "--batch",
        action="store_true",
        help="read one text per stdin line; write one JSON object per line",
    )
    parse.add_argument("--lang", default=None, help="the person's stored language, if any")
    parse.set_defaults(func=_cmd_nlu_parse)

    for queue in ("inbox", "outbox"):
        parent = sub.add_parser(queue, help=f"look at the {queue}")
        queue_sub = parent.add_subparsers(dest="what", required=True)
        dead = queue_sub.add_parser(
            "dead",
            help=f"list dead {queue} rows (given up on): id, channel, time, attempts, error type",
        )
        dead.add_argument("--limit", type=int, default=1000)
        dead.set_defaults(func=_cmd_dead)

    keys = sub.add_parser("keys", help="the keyring (HEARD_SECRET_KEYS)")
    keys_sub = keys.add_subparsers(dest="what", required=True)
    rotate = keys_sub.add_parser(
        "rotate",
        help="re-encrypt what older keys made under the newest key, in batches; "
        "safe to stop and run again",
    )
    rotate.add_argument("--batch", type=int, default=500, help="rows per transaction")
    rotate.add_argument("--pause", type=float, default=0.0, help="seconds to wait between batches")
    rotate.set_defaults(func=_cmd_keys_rotate)
    new = keys_sub.add_parser("new", help="print a fresh secret for HEARD_SECRET_KEYS")
    new.set_defaults(func=_cmd_keys_new)

    telegram = sub.add_parser("telegram", help="Telegram administration")
    telegram_sub = telegram.add_subparsers(dest="what", required=True)
    hook = telegram_sub.add_parser(
        "set-webhook", help="register HEARD_PUBLIC_URL/webhooks/telegram with its secret token"
    )
    hook.add_argument("--drop-pending", action="store_true")
    hook.set_defaults(func=_cmd_telegram_set_webhook)

    from bot.workspace.cli import add_parser as add_users_parser

    add_users_parser(sub).set_defaults(func=_cmd_users)

    from bot.translations.cli import add_parser as add_catalogue_parser

    add_catalogue_parser(sub).set_defaults(func=_cmd_catalogue)
    return parser


def main(argv: Sequence[str] | None = None, stderr: TextIO | None = None) -> int:
    collecting = gc.isenabled()
    gc.disable()  # while the command starts (see _collect_from_here)
    try:
        args = build_parser().parse_args(argv)
        try:
            code: int = args.func(args)
        except ConfigError as exc:
            print(f"heard: configuration error: {exc}", file=stderr or sys.stderr)
            return 2
        return code
    finally:
        if argv is None:
            # The process ends here (the `heard` script): what is left is freed at exit, and
            # frozen, the interpreter's final collection does not walk it.
            gc.freeze()
        if collecting:  # a caller (a test) gets its collector back as it was
            gc.enable()


if __name__ == "__main__":
    sys.exit(main())
