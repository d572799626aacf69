"""`heard users ...`: accounts on the command line (the first admin is made here)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from bot.clock import utcnow
from bot.config import Settings


def _read_password(stdin: TextIO) -> str:
    from bot.workspace import accounts

    if stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise accounts.AccountError("the two passwords differ")
        return first
    return stdin.readline().rstrip("\r\n")


def users_command(settings: Settings, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    # Imported here: `heard --help` and `heard lint` build this parser without a store (and
    # `bot.runtime` brings the catalogue's YAML reader).
    from bot.runtime import Runtime
    from bot.workspace import accounts

    store = Runtime(settings).store
    try:
        with store.unit_of_work() as uow:
            now = utcnow()
            if args.action == "add":
                password = _read_password(stdin)
                user = accounts.add_user(uow, args.email, password, args.role, args.group, now)
                uow.commit()
                groups = f" in {', '.join(user.groups)}" if user.groups else ""
                print(f"added {user.email} as {user.role}{groups}", file=out)
            elif args.action == "token":
                found = uow.users.by_email(args.email)
                if found is None:
                    raise accounts.AccountError(f"no account has the email {args.email}")
                token = accounts.issue_token(uow, found, args.label, now)
                uow.commit()
                print(f"a new API token for {found.email}; it is shown only now:", file=out)
                print(token, file=out)
            elif args.action == "list":
                for user in uow.users.all():
                    groups = ",".join(user.groups) or "-"
                    state = " disabled" if user.disabled else ""
                    print(f"{user.email}\t{user.role}\tgroups: {groups}{state}", file=out)
                    for held in uow.tokens.of_user(user.user_id):
                        used = held.last_used_at.isoformat() if held.last_used_at else "never"
                        status = (
                            f"revoked {held.revoked_at.isoformat()}" if held.revoked_at
                            else f"last used {used}"
                        )
                        print(f"  token {held.token_id}\t{held.prefix}…\t{status}", file=out)
            elif args.action == "revoke-token":
                if not accounts.revoke_token(uow, args.token_id, now):
                    raise accounts.AccountError(f"no live token has the id {args.token_id}")
                uow.commit()
                print(f"token {args.token_id} revoked", file=out)
    except accounts.AccountError as exc:
        print(f"heard users: {exc}", file=sys.stderr)
        return 1
    finally:
        store.engine.dispose()
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    users = sub.add_parser("users", help="workspace accounts and API tokens")
    users_sub = users.add_subparsers(dest="action", required=True)
    add = users_sub.add_parser("add", help="add an account; the password is read from stdin")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=("admin", "coordinator", "member"))
    add.add_argument(
        "--group", action="append", default=[], help="a working group's name (repeatable)"
    )
    token = users_sub.add_parser(
        "token", help="make a personal API token (printed alone on the last line)"
    )
    token.add_argument("email")
    token.add_argument("--label", default="made with heard users token")
    users_sub.add_parser("list", help="accounts, their groups and tokens with last use")
    revoke = users_sub.add_parser("revoke-token", help="revoke a token by the id `list` shows")
    revoke.add_argument("token_id", type=int)
    return users
