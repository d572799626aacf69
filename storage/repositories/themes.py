"""Themes and their tags on views. A view can carry several themes; a tag is `confirmed` (a
coordinator or group member tagged the view, or accepted a suggestion), `suggested` (keyword
rules or similar views, bot.views.suggest) or `rejected` (a suggestion turned down: kept so it
is never suggested again). Counts are over listed views (storage.repositories.view_inbox)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import models as m
from storage.records import TagSource, TagState, ThemeCount, ThemeRecord
from storage.repositories.view_inbox import listed
from storage.timestamps import as_utc


class ThemeExists(ValueError):
    """A theme of that name already exists."""


def _theme(row: m.ThemeRow) -> ThemeRecord:
    keywords = {lang: tuple(words) for lang, words in json.loads(row.keywords_json).items()}
    return ThemeRecord(row.id, row.name, row.description, keywords, row.group_id, row.created_at)


class Themes:
    def __init__(self, db: Session) -> None:
        self._db = db

    def create(
        self,
        name: str,
        at: datetime,
        description: str = "",
        keywords: Mapping[str, Sequence[str]] | None = None,
        group_id: int | None = None,
    ) -> ThemeRecord:
        name = " ".join(name.split())
        if not name:
            raise ValueError("a theme needs a name")
        taken = self._db.scalars(
            select(m.ThemeRow.id).where(func.lower(m.ThemeRow.name) == name.lower())
        ).first()
        if taken is not None:
            raise ThemeExists(name)
        rules = {
            lang: [w.strip() for w in words if w.strip()]
            for lang, words in (keywords or {}).items()
        }
        row = m.ThemeRow(
            name=name,
            description=description.strip(),
            keywords_json=json.dumps({k: v for k, v in rules.items() if v}, ensure_ascii=False),
            group_id=group_id,
            created_at=as_utc(at),
        )
        self._db.add(row)
        self._db.flush()
        return _theme(row)

    def set_keywords(self, theme_id: int, keywords: Mapping[str, Sequence[str]]) -> None:
        row = self._db.get(m.ThemeRow, theme_id)
        if row is None:
            raise KeyError(theme_id)
        rules = {lang: [w.strip() for w in words if w.strip()] for lang, words in keywords.items()}
        row.keywords_json = json.dumps({k: v for k, v in rules.items() if v}, ensure_ascii=False)
        self._db.flush()

    def get(self, theme_id: int) -> ThemeRecord | None:
        row = self._db.get(m.ThemeRow, theme_id)
        return None if row is None else _theme(row)

    def all(self, group_ids: Iterable[int] | None = None) -> list[ThemeRecord]:
        """Every theme by name; with `group_ids`, only those groups' own themes."""
        query = select(m.ThemeRow).order_by(m.ThemeRow.name)
        if group_ids is not None:
            query = query.where(m.ThemeRow.group_id.in_(list(group_ids) or [-1]))
        return [_theme(row) for row in self._db.scalars(query)]

    def counts(self, group_ids: Iterable[int] | None = None) -> list[ThemeCount]:
        """Each theme with how many listed views carry it and how many wait on a suggestion."""
        themes = self.all(group_ids)
        if not themes:
            return []
        tally: dict[tuple[int, str], int] = {}
        query = (
            select(m.ViewThemeRow.theme_id, m.ViewThemeRow.state, func.count())
            .join(m.ViewRow, m.ViewRow.view_id == m.ViewThemeRow.view_id)
            .where(listed(), m.ViewThemeRow.theme_id.in_([t.theme_id for t in themes]))
            .group_by(m.ViewThemeRow.theme_id, m.ViewThemeRow.state)
        )
        for theme_id, state, count in self._db.execute(query):
            tally[(theme_id, state)] = count
        return [
            ThemeCount(
                t, tally.get((t.theme_id, "confirmed"), 0), tally.get((t.theme_id, "suggested"), 0)
            )
            for t in themes
        ]

    def tag(
        self,
        view_ids: Sequence[str],
        theme_id: int,
        state: TagState,
        source: TagSource,
        by: str | None,
        at: datetime,
    ) -> int:
        """Sets the tag of `theme_id` on each view. A suggestion never overrides a decision:
        `suggested` is only added where the view has no tag of that theme yet."""
        changed = 0
        for view_id in dict.fromkeys(view_ids):
            row = self._db.get(m.ViewThemeRow, (view_id, theme_id))
            if row is None:
                self._db.add(
                    m.ViewThemeRow(
                        view_id=view_id,
                        theme_id=theme_id,
                        state=state,
                        source=source,
                        by=by,
                        at=as_utc(at),
                    )
                )
                changed += 1
            elif state != "suggested" and row.state != state:
                row.state, row.by, row.at = state, by, as_utc(at)
                changed += 1
        self._db.flush()
        return changed

    def untag(self, view_id: str, theme_id: int) -> None:
        row = self._db.get(m.ViewThemeRow, (view_id, theme_id))
        if row is not None:
            self._db.delete(row)
            self._db.flush()

    def tagged(
        self, theme_id: int, state: TagState = "confirmed", limit: int = 10_000
    ) -> list[str]:
        """Ids of listed views carrying `theme_id` in `state`."""
        query = (
            select(m.ViewThemeRow.view_id)
            .join(m.ViewRow, m.ViewRow.view_id == m.ViewThemeRow.view_id)
            .where(m.ViewThemeRow.theme_id == theme_id, m.ViewThemeRow.state == state, listed())
            .limit(limit)
        )
        return list(self._db.scalars(query))

    def decided(self, theme_id: int) -> set[str]:
        """Views with any tag of `theme_id` (suggested, confirmed or rejected)."""
        query = select(m.ViewThemeRow.view_id).where(m.ViewThemeRow.theme_id == theme_id)
        return set(self._db.scalars(query))
