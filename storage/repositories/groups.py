"""Working groups and the views shared with them. Who belongs to a group is the workspace's
business (its users); here a group is a name, and sharing a view with it lets its members
see that view and nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import models as m
from storage.records import WorkingGroup
from storage.repositories.view_inbox import change_status
from storage.timestamps import as_utc


def _group(row: m.WorkingGroupRow) -> WorkingGroup:
    return WorkingGroup(row.id, row.name, row.created_at)


class WorkingGroups:
    def __init__(self, db: Session) -> None:
        self._db = db

    def ensure(self, name: str, at: datetime) -> WorkingGroup:
        """The group called `name` (compared without case), created if new."""
        name = " ".join(name.split())
        if not name:
            raise ValueError("a working group needs a name")
        row = self._db.scalars(
            select(m.WorkingGroupRow).where(func.lower(m.WorkingGroupRow.name) == name.lower())
        ).first()
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
