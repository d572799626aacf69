"""Who sees which views, and the inbox's filters from a query string, shared by the views
pages (bot.workspace.views_pages) and the API (bot.workspace.views_api).

Coordinators and admins see every listed view. A working-group member sees only the views
shared with one of their groups (`UserRecord.groups`, names) and may tag them with those
groups' own themes; they never see contact details and cannot export.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot.workspace.auth import Principal
from storage.records import VIEW_STATUSES, ThemeRecord, ViewFilters
from storage.unit_of_work import UnitOfWork

FILTER_FIELDS = (
    "consultation",
    "question",
    "language",
    "register",
    "channel",
    "since",
    "until",
    "theme",
    "status",
)


class FilterError(ValueError):
    """A filter value that cannot be used; the message is for the coordinator."""


MAX_RECORD_ID = 2**31 - 1  # PostgreSQL's INTEGER keys


def record_id(text: str) -> int | None:
    """A row id typed in a URL or form: ASCII digits, within the database's integers. None
    for anything else ("²" is a digit to `str.isdigit` but not to `int`; a 30-digit number
    overflows the column)."""
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if number <= MAX_RECORD_ID else None


@dataclass(frozen=True)
class Scope:
    """What one user may see and use."""

    group_ids: tuple[int, ...] | None  # None: every view (coordinators)
    member: bool

    def filters(self, filters: ViewFilters) -> ViewFilters:
        return replace(filters, group_ids=self.group_ids)

    def may_use_theme(self, theme: ThemeRecord) -> bool:
        return self.group_ids is None or theme.group_id in self.group_ids


def scope_of(uow: UnitOfWork, user: Principal) -> Scope:
    if user.has("coordinator"):
        return Scope(None, False)
    groups = uow.groups.named(list(user.user.groups))
    return Scope(tuple(g.group_id for g in groups), True)


def _day(value: str, name: str) -> datetime:
    try:
        day = datetime.fromisoformat(value)
    except ValueError as exc:
        raise FilterError(f"{name}: {value!r} is not a date like 2026-11-27") from exc
    return day if day.tzinfo is not None else day.replace(tzinfo=UTC)


def _day_after(value: str) -> datetime:
    """The midnight after the day `value` (9999-12-31 has none a datetime can hold)."""
    try:
        return _day(value, "until") + timedelta(days=1)
    except OverflowError as exc:
        raise FilterError(f"until: {value!r} is not a date like 2026-11-27") from exc


def filters_from(params: Mapping[str, str]) -> ViewFilters:
    """The inbox filters in a query string; empty values mean any. `until` is a day included
    in the range (views before the next midnight)."""

    def get(name: str) -> str | None:
        value = (params.get(name) or "").strip()
        return value or None

    status = get("status")
    if status is not None and status not in VIEW_STATUSES:
        raise FilterError(f"status: {status!r} is not one of {', '.join(VIEW_STATUSES)}")
    theme = get("theme")
    if theme is not None and record_id(theme) is None:
        raise FilterError(f"theme: {theme!r} is not a theme number")
    since, until = get("since"), get("until")
    return ViewFilters(
        consultation=get("consultation"),
        question_id=get("question"),
        language=get("language"),
        register=get("register"),
        channel=get("channel"),
        since=_day(since, "since") if since else None,
        until=_day_after(until) if until else None,
        theme_id=record_id(theme) if theme else None,
        status=status,
    )


def query_of(params: Mapping[str, str]) -> dict[str, str]:
    """The filter fields of `params` that are set, to carry in links and forms."""
    return {k: params[k] for k in FILTER_FIELDS if params.get(k)}
