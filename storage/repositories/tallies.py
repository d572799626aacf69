"""Running counts of listed views (storage.repositories.view_inbox) per consultation,
question, language, register, channel and status, so the inbox's counts for those filters are
a sum over a few rows instead of a count over every view.

Every change to a listed view goes through `bump`: a new answer (+1) and the answers it
supersedes (-1), BACK's deletion, a share_views withdrawal or renewal, a status change, and
erasure. Each bump is one INSERT ... ON CONFLICT DO UPDATE into a random one of `SHARDS` rows
per key, so concurrent workers saving answers to the same question rarely wait on each other's
row; a count adds the shards up (a shard may go below zero; the sum never does).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage import models as m
from storage.records import ViewFilters
from storage.repositories.rows import is_postgres

SHARDS = 16
T = m.ViewTallyRow
Key = tuple[str, str, str, str, str, str]
V = m.ViewRow
KEY_COLUMNS = (V.consultation, V.question_id, V.language, V.register, V.channel, V.status)


def key(row: Any) -> Key:
    """The tally key of a row with the view's key columns (a ViewRow or a result row)."""
    return (
        row.consultation or "",
        row.question_id,
        row.language,
        row.register,
        row.channel,
        row.status,
    )


def _upsert(insert: Any) -> Any:
    statement = insert(T)
    return statement.on_conflict_do_update(
        index_elements=[
            T.consultation, T.question_id, T.language, T.register, T.channel, T.status, T.shard,
        ],
        set_={"n": T.n + statement.excluded.n},
    )


# Built once (each `excluded` copies the table's columns); rows arrive as parameters.
_UPSERT = {"postgresql": _upsert(postgresql.insert), "sqlite": _upsert(sqlite.insert)}


def bump(db: Session, deltas: dict[Key, int]) -> None:
    changes = [(k, n) for k, n in deltas.items() if n]
    if not changes:
        return
    shard = random.randrange(SHARDS)
    values = [
        {
            "consultation": k[0],
            "question_id": k[1],
            "language": k[2],
            "register": k[3],
            "channel": k[4],
            "status": k[5],
            "shard": shard,
            "n": n,
        }
        for k, n in changes
    ]
    db.execute(_UPSERT["postgresql" if is_postgres(db) else "sqlite"], values)


def tally(rows: Iterable[Any], each: int) -> dict[Key, int]:
    """`each` (+1 or -1) per row, added up per key."""
    deltas: dict[Key, int] = {}
    for row in rows:
        k = key(row)
        deltas[k] = deltas.get(k, 0) + each
    return deltas


def usable(filters: ViewFilters) -> bool:
    """Whether the tallies can answer a count for `filters` (no theme, group or dates)."""
    return (
        filters.theme_id is None
        and filters.group_ids is None
        and filters.since is None
        and filters.until is None
    )


def counts(db: Session, filters: ViewFilters) -> dict[str, int]:
    """Listed views per status for `filters` (which must be `usable`), the status left out."""
    query = select(T.status, func.sum(T.n)).group_by(T.status)
    for column, value in (
        (T.consultation, None if filters.consultation is None else filters.consultation),
        (T.question_id, filters.question_id),
        (T.language, filters.language),
        (T.register, filters.register),
        (T.channel, filters.channel),
    ):
        if value is not None:
            query = query.where(column == value)
    return {status: int(total or 0) for status, total in db.execute(query)}
