"""Working groups and the views shared with them. Who belongs to a group is the workspace's
business (its users); here a group is a name with its recruitment details (purpose, topics,
meeting pattern, support offered, how it meets), and sharing a view with it lets its members
see that view and nothing else."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import models as m
from storage.records import GroupDetails, WorkingGroup
from storage.repositories.view_inbox import change_status
from storage.timestamps import as_utc


def _group(row: m.WorkingGroupRow) -> WorkingGroup:
    return WorkingGroup(
        row.id, row.name, row.created_at,
        purpose=row.purpose or "",
        topics=tuple(json.loads(row.topics_json or "[]")),
        meeting_pattern=row.meeting_pattern or "",
        support=tuple(json.loads(row.support_json or "[]")),
        attendance=row.attendance or "in_person",
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def _clean(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValueError("a working group needs a name")
    return name


class GroupNameTaken(ValueError):
    """Another working group has this name (names are compared without case)."""


class WorkingGroups:
    def __init__(self, db: Session) -> None:
        self._db = db

    def _named(self, name: str) -> m.WorkingGroupRow | None:
        return self._db.scalars(
            select(m.WorkingGroupRow).where(func.lower(m.WorkingGroupRow.name) == name.lower())
        ).first()

    def create(self, details: GroupDetails, by: str | None, at: datetime) -> WorkingGroup:
        """A new group with its recruitment details; GroupNameTaken when the name is in use."""
        name = _clean(details.name)
        if self._named(name) is not None:
            raise GroupNameTaken(name)
        row = m.WorkingGroupRow(name=name, created_at=as_utc(at))
        self._fill(row, details, by, at)
        self._db.add(row)
        self._db.flush()
        return _group(row)

    def update(
        self, group_id: int, details: GroupDetails, by: str | None, at: datetime
    ) -> WorkingGroup | None:
        """Changes every detail (name included); None for an unknown group, GroupNameTaken
        when another group has the new name."""
        row = self._db.get(m.WorkingGroupRow, group_id)
        if row is None:
            return None
        name = _clean(details.name)
        other = self._named(name)
        if other is not None and other.id != group_id:
            raise GroupNameTaken(name)
        row.name = name
        self._fill(row, details, by, at)
        self._db.flush()
        return _group(row)

    @staticmethod
    def _fill(row: m.WorkingGroupRow, details: GroupDetails, by: str | None, at: datetime) -> None:
        row.purpose = details.purpose.strip()
        row.topics_json = json.dumps(list(dict.fromkeys(details.topics)))
        row.meeting_pattern = details.meeting_pattern.strip()
        row.support_json = json.dumps(list(dict.fromkeys(details.support)))
        row.attendance = details.attendance
        row.updated_at = as_utc(at)
        row.updated_by = by

    def offers(self) -> frozenset[str]:
        """Every support kind some group offers: what the bot may mention at all."""
        found: set[str] = set()
        for support in self._db.scalars(select(m.WorkingGroupRow.support_json)):
            found.update(json.loads(support or "[]"))
        return frozenset(found)

    def ensure(self, name: str, at: datetime) -> WorkingGroup:
        """The group called `name` (compared without case), created if new."""
        name = _clean(name)
        row = self._named(name)
        if row is None:
            row = m.WorkingGroupRow(name=name, created_at=as_utc(at))
            self._db.add(row)
            self._db.flush()
        return _group(row)

    def get(self, group_id: int) -> WorkingGroup | None:
        row = self._db.get(m.WorkingGroupRow, group_id)
        return None if row is None else _group(row)

    def named(self, names: Sequence[str]) -> list[WorkingGroup]:
        if not names:
            return []
        lowered = [n.lower() for n in names]
        rows = self._db.scalars(
            select(m.WorkingGroupRow).where(func.lower(m.WorkingGroupRow.name).in_(lowered))
        )
        return [_group(row) for row in rows]

    def all(self) -> list[WorkingGroup]:
        rows = self._db.scalars(select(m.WorkingGroupRow).order_by(m.WorkingGroupRow.name))
        return [_group(row) for row in rows]

    def share(self, view_ids: Sequence[str], group_id: int, by: str | None, at: datetime) -> int:
        """Shares each view with the group (again is a no-op); new and read views become
        `shared`. Returns how many views were newly shared."""
        ids = list(dict.fromkeys(view_ids))
        if not ids:
            return 0
        already = set(
            self._db.scalars(
                select(m.ViewShareRow.view_id).where(
                    m.ViewShareRow.group_id == group_id, m.ViewShareRow.view_id.in_(ids)
                )
            )
        )
        fresh = [v for v in ids if v not in already]
        for view_id in fresh:
            self._db.add(m.ViewShareRow(view_id=view_id, group_id=group_id, by=by, at=as_utc(at)))
        self._db.flush()
        change_status(self._db, ids, "shared", only_from=("new", "read"))
        return len(fresh)

    def shared_count(self, group_id: int) -> int:
        query = select(func.count()).where(m.ViewShareRow.group_id == group_id)
        return int(self._db.scalar(query) or 0)
