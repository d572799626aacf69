"""The views inbox: what coordinators (and working-group members, through the views shared
with their group) read of people's views.

Listed views are each person's latest answer to a question (`superseded` is false) whose
author still shares their views (`withdrawn` is false); every query here keeps to those, and
every inbox index is partial on the same condition (storage.models). Newest first; pages are
keyset pages on (at, view_id), so page 1,000 costs what page 1 does. The words people sent are
read only through `rows.view` (never filtered or sorted on in SQL).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, exists, func, not_, or_, select, tuple_, update
from sqlalchemy.orm import Session

from storage import models as m
from storage.personal import PersonalText
from storage.records import (
    VIEW_STATUSES,
    InboxCounts,
    InboxEntry,
    InboxPage,
    NoteRecord,
    TagSource,
    TagState,
    ThemeTag,
    ViewFilters,
    ViewRecord,
    ViewStatus,
)
from storage.repositories import tallies
from storage.repositories.rows import view
from storage.timestamps import as_utc

V = m.ViewRow
PAGE_MAX = 200
EXPORT_BATCH = 1000


class BadCursor(ValueError):
    """A page cursor that this store did not hand out."""


def listed() -> ColumnElement[bool]:
    return and_(not_(V.superseded), not_(V.withdrawn))


def encode_cursor(at: datetime, view_id: str) -> str:
    raw = f"{as_utc(at).isoformat()}|{view_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, view_id = raw.split("|", 1)
        return as_utc(datetime.fromisoformat(at)), view_id
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCursor("not a page cursor") from exc


def conditions(filters: ViewFilters, *, with_status: bool = True) -> list[ColumnElement[bool]]:
    """The WHERE conditions of `filters` on the views table (listed views only)."""
    where: list[ColumnElement[bool]] = [listed()]
    for column, value in (
        (V.consultation, filters.consultation),
        (V.question_id, filters.question_id),
        (V.language, filters.language),
        (V.register, filters.register),
        (V.channel, filters.channel),
    ):
        if value is not None:
            where.append(column == value)
    if with_status and filters.status is not None:
        where.append(V.status == filters.status)
    if filters.since is not None:
        where.append(V.at >= as_utc(filters.since))
    if filters.until is not None:
        where.append(V.at < as_utc(filters.until))
    if filters.theme_id is not None:
        where.append(
            exists().where(
                m.ViewThemeRow.view_id == V.view_id,
                m.ViewThemeRow.theme_id == filters.theme_id,
                m.ViewThemeRow.state == "confirmed",
            )
        )
    if filters.group_ids is not None:
        where.append(
            exists().where(
                m.ViewShareRow.view_id == V.view_id,
                m.ViewShareRow.group_id.in_(filters.group_ids or (-1,)),
            )
        )
    return where


def _counts(filters: ViewFilters, by_status: dict[str, int]) -> InboxCounts:
    total = (
        by_status.get(filters.status, 0) if filters.status is not None else sum(by_status.values())
    )
    return InboxCounts(total, by_status)


class ViewInbox:
    def __init__(self, db: Session, text: PersonalText) -> None:
        self._db = db
        self._text = text  # opens people's words (storage.personal)

    # --- reading

    def page(
        self, filters: ViewFilters, after: str | None = None, limit: int = 50
    ) -> InboxPage:
        """Up to `limit` listed views matching `filters`, newest first, after the cursor."""
        limit = max(1, min(limit, PAGE_MAX))
        query = select(V).where(*conditions(filters))
        if after is not None:
            at, view_id = decode_cursor(after)
            query = query.where(tuple_(V.at, V.view_id) < tuple_(at, view_id))
        query = query.order_by(V.at.desc(), V.view_id.desc()).limit(limit + 1)
        rows = list(self._db.scalars(query))
        more = len(rows) > limit
        rows = rows[:limit]
        entries = self._entries(rows)
        cursor = encode_cursor(rows[-1].at, rows[-1].view_id) if more and rows else None
        return InboxPage(tuple(entries), cursor)

    def counts(self, filters: ViewFilters, exact: bool = False) -> InboxCounts:
        """How many listed views match `filters`, and per status (one query): from the
        tallies when the filters allow (storage.repositories.tallies), else by counting."""
        by_status: dict[str, int] = {status: 0 for status in VIEW_STATUSES}
        if not exact and tallies.usable(filters):
            by_status.update(tallies.counts(self._db, filters))
            return _counts(filters, by_status)
        query = (
            select(V.status, func.count())
            .where(*conditions(filters, with_status=False))
            .group_by(V.status)
        )
        for status, count in self._db.execute(query):
            by_status[status] = count
        return _counts(filters, by_status)

    def get(self, view_id: str, filters: ViewFilters | None = None) -> InboxEntry | None:
        """One view the filters allow (a member: shared with their group), listed or not,
        unless its author withdrew their consent."""
        where = [V.view_id == view_id, not_(V.withdrawn)]
        if filters is not None and filters.group_ids is not None:
            where.append(conditions(ViewFilters(group_ids=filters.group_ids))[-1])
        row = self._db.scalars(select(V).where(*where)).first()
        if row is None:
            return None
        return self._entries([row])[0]

    def history(self, view_id: str) -> list[InboxEntry]:
        """The person's answers to the question of `view_id`, latest first (the listed one
        first): their answer history. Empty for an unknown or withdrawn view."""
        row = self._db.get(V, view_id)
        if row is None or row.withdrawn:
            return []
        rows = self._db.scalars(
            select(V)
            .where(
                V.participant_id == row.participant_id,
                V.flow == row.flow,
                V.question_id == row.question_id,
            )
            .order_by(V.at.desc(), V.view_id.desc())
        )
        return self._entries(list(rows))

    def existing(self, view_ids: Iterable[str], filters: ViewFilters | None = None) -> set[str]:
        """Which of `view_ids` are views the filters allow (see `get`)."""
        ids = list(dict.fromkeys(view_ids))
        if not ids:
            return set()
        where = [V.view_id.in_(ids), not_(V.withdrawn)]
        if filters is not None and filters.group_ids is not None:
            where.append(conditions(ViewFilters(group_ids=filters.group_ids))[-1])
        return set(self._db.scalars(select(V.view_id).where(*where)))

    def consultations(self) -> list[str]:
        """Every consultation id that has a view."""
        query = select(V.consultation).where(V.consultation.is_not(None)).distinct()
        return sorted(c for c in self._db.scalars(query) if c is not None)

    def stream(self, filters: ViewFilters, history: bool = False) -> Iterator[InboxEntry]:
        """Every view matching `filters`, oldest first, in batches, so any number of views is
        read in constant memory. With `history`, earlier answers come too (`latest` false)."""
        where = conditions(filters)
        if history:
            where[0] = not_(V.withdrawn)
        query = (
            select(V)
            .where(*where)
            .order_by(V.at, V.view_id)
            .execution_options(yield_per=EXPORT_BATCH)
        )
        result = self._db.scalars(query)
        for batch in result.partitions(EXPORT_BATCH):
            yield from self._entries(list(batch), counts=False)

    # --- changing

    def set_status(self, view_ids: Sequence[str], status: ViewStatus) -> int:
        if status not in VIEW_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        return change_status(self._db, view_ids, status)

    def mark_read(self, view_ids: Sequence[str]) -> None:
        """New views become read; other statuses stay."""
        change_status(self._db, view_ids, "read", only_from=("new",))

    def add_note(self, view_id: str, author: str, text: str, at: datetime) -> NoteRecord:
        row = m.ViewNoteRow(view_id=view_id, author=author, text=text, at=as_utc(at))
        self._db.add(row)
        self._db.flush()
        return NoteRecord(row.id, row.view_id, row.author, row.text, row.at)

    def notes(self, view_id: str) -> list[NoteRecord]:
        rows = self._db.scalars(
            select(m.ViewNoteRow)
            .where(m.ViewNoteRow.view_id == view_id)
            .order_by(m.ViewNoteRow.at, m.ViewNoteRow.id)
        )
        return [NoteRecord(r.id, r.view_id, r.author, r.text, r.at) for r in rows]

    # --- helpers

    def _entries(self, rows: list[m.ViewRow], counts: bool = True) -> list[InboxEntry]:
        if not rows:
            return []
        ids = [row.view_id for row in rows]
        themes = self._themes_of(ids)
        groups: dict[str, list[str]] = {}
        earlier: dict[tuple[str, str, str], int] = {}
        if counts:
            shared = self._db.execute(
                select(m.ViewShareRow.view_id, m.WorkingGroupRow.name)
                .join(m.WorkingGroupRow, m.WorkingGroupRow.id == m.ViewShareRow.group_id)
                .where(m.ViewShareRow.view_id.in_(ids))
                .order_by(m.WorkingGroupRow.name)
            )
            for view_id, name in shared:
                groups.setdefault(view_id, []).append(name)
            keys = {(r.participant_id, r.flow, r.question_id) for r in rows}
            answers = self._db.execute(
                select(V.participant_id, V.flow, V.question_id, func.count())
                .where(
                    V.superseded,
                    or_(
                        *(
                            and_(
                                V.participant_id == pid,
                                V.flow == flow,
                                V.question_id == question,
                            )
                            for pid, flow, question in keys
                        )
                    ),
                )
                .group_by(V.participant_id, V.flow, V.question_id)
            )
            for pid, flow, question, count in answers:
                earlier[(pid, flow, question)] = count
        return [
            InboxEntry(
                view=view(row, self._text),
                status=cast(ViewStatus, row.status),
                themes=tuple(themes.get(row.view_id, ())),
                earlier=0
                if row.superseded
                else earlier.get((row.participant_id, row.flow, row.question_id), 0),
                groups=tuple(groups.get(row.view_id, ())),
                latest=not row.superseded,
            )
            for row in rows
        ]

    def _themes_of(self, view_ids: list[str]) -> dict[str, list[ThemeTag]]:
        found: dict[str, list[ThemeTag]] = {}
        query: Any = (
            select(
                m.ViewThemeRow.view_id,
                m.ViewThemeRow.theme_id,
                m.ThemeRow.name,
                m.ViewThemeRow.state,
                m.ViewThemeRow.source,
            )
            .join(m.ThemeRow, m.ThemeRow.id == m.ViewThemeRow.theme_id)
            .where(m.ViewThemeRow.view_id.in_(view_ids), m.ViewThemeRow.state != "rejected")
            .order_by(m.ThemeRow.name)
        )
        for view_id, theme_id, name, state, source in self._db.execute(query):
            found.setdefault(view_id, []).append(
                ThemeTag(theme_id, name, cast(TagState, state), cast(TagSource, source))
            )
        return found


def records(entries: Iterable[InboxEntry]) -> Iterator[ViewRecord]:
    return (entry.view for entry in entries)


def change_status(
    db: Session,
    view_ids: Sequence[str],
    status: ViewStatus,
    only_from: Sequence[str] | None = None,
) -> int:
    """Sets the status of those views (of those whose status is in `only_from`, when given),
    keeping the tallies of listed views in step. Returns how many changed."""
    ids = list(dict.fromkeys(view_ids))
    if not ids:
        return 0
    where = [V.view_id.in_(ids), V.status != status]
    if only_from is not None:
        where.append(V.status.in_(list(only_from)))
    before = db.execute(
        select(V.view_id, *tallies.KEY_COLUMNS, V.superseded, V.withdrawn).where(*where)
    ).all()
    if not before:
        return 0
    db.execute(update(V).where(V.view_id.in_([r.view_id for r in before])).values(status=status))
    listed = [r for r in before if not r.superseded and not r.withdrawn]
    deltas = tallies.tally(listed, -1)
    for row in listed:
        k = (*tallies.key(row)[:5], status)
        deltas[k] = deltas.get(k, 0) + 1
    tallies.bump(db, deltas)
    return len(before)
