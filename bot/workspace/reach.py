"""Who has and has not been heard, for the workspace's pages and API (bot.workspace.reach_pages,
reach_api): the published report (bot.views.reach), the baseline upload, and re-invitations.

A re-invitation goes to the people of a dimension's under-heard groups who granted
`contact_group` and did not opt out: one message each, in their language and register, queued
in the outbox (the outbox worker sends it at the channel's rate), at most once per person per
re-invitation. It asks them to reply MENU, a command every language's catalogue knows, so the
reply goes through the inbox and the engine like any other message; nothing here touches a
session.
"""

from __future__ import annotations

import functools
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import cast

from bot.catalogue import Catalogue, load_catalogue
from bot.channels.registry import outbox_message
from bot.engine.events import MessageCreated
from bot.engine.settings import Deployment
from bot.terms import Register
from bot.views.reach import (
    BaselineCheck,
    CategoryReach,
    ReachReport,
    build_report,
    check_baseline,
    count,
    reinvite_targets,
)
from bot.workspace.web import Workspace
from storage.records import ReachPerson
from storage.unit_of_work import UnitOfWork

REINVITE_TEXT = "reach.reinvite"
MAX_SOURCE_CHARS = 500  # the column's size (storage.models.BaselineRow.source)


@functools.cache
def _catalogue(catalogue_dir: Path) -> Catalogue:
    return load_catalogue(catalogue_dir)


def catalogue_of(ws: Workspace) -> Catalogue:
    return _catalogue(ws.settings.catalogue_dir)


def language_labels(ws: Workspace) -> dict[str, str]:
    return {code: info.english_name for code, info in catalogue_of(ws).languages.items()}


def read(uow: UnitOfWork, ws: Workspace) -> tuple[ReachReport, list[ReachPerson]]:
    people = list(uow.reach.people())
    report = build_report(count(people), uow.baselines.current(), language_labels(ws))
    return report, people


def report_of(uow: UnitOfWork, ws: Workspace) -> ReachReport:
    return read(uow, ws)[0]


def upload_baseline(
    uow: UnitOfWork, ws: Workspace, data: bytes | str, source: str, by: str, at: datetime
) -> BaselineCheck:
    """Checks the CSV and, only when it has no problem, replaces the baseline (the caller
    commits)."""
    if len(source.strip()) > MAX_SOURCE_CHARS:  # the page's field as much as the API's
        return BaselineCheck((), (f"the source is longer than {MAX_SOURCE_CHARS} characters",))
    checked = check_baseline(data, catalogue_of(ws).codes)
    if checked.ok:
        uow.baselines.replace(checked.shares, source.strip() or "uploaded CSV", by, at)
    return checked


def _under_heard(report: ReachReport, dimension: str) -> tuple[CategoryReach, ...]:
    """The dimension's under-heard groups; none while too few people (or nobody yet) gave
    views, when the report has no breakdowns at all."""
    found = [d for d in report.dimensions if d.dimension == dimension]
    return () if report.too_few or not found else found[0].under_heard


@dataclass(frozen=True)
class ReinvitePlan:
    dimension: str
    categories: tuple[str, ...]  # the under-heard categories
    labels: tuple[str, ...]
    people: int  # true count: show it only through bot.views.reach.shown_people
    key: str  # the confirmation's key: confirming twice queues once


def plan_reinvite(uow: UnitOfWork, ws: Workspace, dimension: str) -> ReinvitePlan:
    report, people = read(uow, ws)
    under = _under_heard(report, dimension)
    categories = tuple(c.category for c in under)
    targets = reinvite_targets(people, dimension, categories) if categories else []
    return ReinvitePlan(
        dimension,
        categories,
        tuple(c.label for c in under),
        len(targets),
        secrets.token_urlsafe(18),
    )


@dataclass(frozen=True)
class ReinviteDone:
    reinvitation_id: int
    queued: int
    again: bool  # the key was confirmed before: nothing more was queued


def queue_reinvite(
    uow: UnitOfWork, ws: Workspace, dimension: str, key: str, by: str, at: datetime
) -> ReinviteDone:
    """Queues the re-invitation for the under-heard groups as they are now (the caller
    commits). A key already used returns that re-invitation and queues nothing."""
    found = uow.reinvitations.find(key)
    if found is not None:
        return ReinviteDone(found.reinvitation_id, found.queued, again=True)
    report, people = read(uow, ws)
    under = _under_heard(report, dimension)
    categories = tuple(c.category for c in under)
    reinvitation_id = uow.reinvitations.create(key, dimension, categories, by, at)
    if reinvitation_id is None:  # a confirmation racing this one made it first
        first = uow.reinvitations.find(key)
        assert first is not None  # the unique key refused this one: that row exists
        return ReinviteDone(first.reinvitation_id, first.queued, again=True)
    catalogue = catalogue_of(ws)
    params = Deployment.from_mapping(ws.settings.deployment).params()
    queued = 0
    for person in reinvite_targets(people, dimension, categories) if categories else []:
        channel = person.channel
        assert channel is not None  # reinvite_targets keeps only people with a channel
        address = uow.people.address_of(person.participant_id, channel)
        if address is None:
            continue
        register = cast(Register, person.register if person.register == "easy" else "standard")
        text = catalogue.text(person.language, register, REINVITE_TEXT, params)
        message = MessageCreated(
            at=at,
            message_id=uuid.uuid4().hex,
            text_id=REINVITE_TEXT,
            text=text.text,
            language=text.language,
            register=register,
            direction=text.direction,
            fallback=text.fallback,
        )
        if not uow.reinvitations.add_recipient(
            reinvitation_id, person.participant_id, message.message_id, at
        ):
            continue
        uow.outbox.add(
            outbox_message(message, channel, person.participant_id, catalogue, at, bulk=True),
            address=address,
        )
        queued += 1
    return ReinviteDone(reinvitation_id, queued, again=False)
