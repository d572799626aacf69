"""Working groups and their recruitment pipelines: coordinators create and edit groups (purpose,
topics, meeting pattern, the support offered, how the group meets), see who is interested
(from the bot's join flow), contacted, joined or declined, move people along, invite them,
export the volunteers without contact details, and reveal one person's contact details with a
stated reason (written to the audit log, as in the safety queue).

An invitation never goes out from here: it is queued as an inbox item (bot.inbox.payload
`GroupInvitation`), so the inbox worker and the engine send it in the person's language and
register and wait for their YES or NO, which moves them to joined or declined.

The pages are here; the API routes (`/api/groups`) in bot.workspace.groups_api; both use the
functions below, so a page and the API always do the same thing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from starlette.responses import Response

from bot.inbox.payload import GroupInvitation, to_payload
from bot.terms import ATTENDANCE, GROUP_SUPPORT_KINDS
from bot.workspace.accounts import audit
from bot.workspace.safety import CHANNEL_LABELS, MAX_NOTE, MIN_REASON
from bot.workspace.web import PageContext, page
from storage.records import (
    PIPELINE_STAGES,
    GroupDetails,
    GroupMove,
    Recruit,
    UserRecord,
    WorkingGroup,
)
from storage.repositories.groups import GroupNameTaken
from storage.unit_of_work import UnitOfWork

# The topics of the join flow (flows/working_group.yaml, q_topics and q_topics_more), in the
# coordinator's words. tests/workspace/test_groups.py holds them to the flow.
TOPICS: dict[str, str] = {
    "day_services": "Day services",
    "home_care": "Home care",
    "carers": "Carers",
    "housing": "Housing",
    "mental_health": "Mental health",
    "other": "Other topics",
}
SUPPORT_LABELS: dict[str, str] = {
    "interpreter": "Interpreter",
    "easy_read": "Easy read papers",
    "bsl": "BSL interpreter",
    "travel_costs": "Travel costs paid",
    "childcare_costs": "Childcare costs paid",
    "step_free": "Step-free venue",
}
ATTENDANCE_LABELS = {"online": "Online", "in_person": "In person", "both": "Online and in person"}
STAGE_LABELS = {
    "interested": "Interested",
    "contacted": "Contacted",
    "joined": "Joined",
    "declined": "Declined",
}
# The join flow's answers, in the coordinator's words (flows/working_group.yaml).
ANSWER_LABELS: dict[str, str] = {
    **TOPICS,
    "weekday_daytime": "Weekday daytime",
    "weekday_evening": "Weekday evening",
    "weekend": "Weekend",
    "online_only": "Online only",
    "interpreter": "Interpreter",
    "sign_language": "Sign language",
    "easy_read": "Easy read",
    "step_free": "Step-free access",
    "travel_costs": "Travel costs",
    "childcare_costs": "Childcare costs",
    "none": "None",
    "text_message": "Text message",
    "telegram": "Telegram",
    "phone_call": "Phone call",
    "worker": "Through a support worker",
}
MAX_NAME = 200
MAX_TEXT = 2000
MAX_PATTERN = 500
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
CSV_COLUMNS = (
    "participant_id", "stage", "topics", "availability", "access_needs",
    "interpreter_language", "contact_method", "language", "register", "interested_at",
    "invited_for", "moved_by", "moved_at",
)
assert set(SUPPORT_LABELS) == set(GROUP_SUPPORT_KINDS)


class GroupError(ValueError):
    """A refused action, with words fit to show the coordinator; `status` for the API."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def label(value: str) -> str:
    return ANSWER_LABELS.get(value, value)


def details_from(
    name: str, purpose: str, topics: Iterable[str], meeting_pattern: str,
    support: Iterable[str], attendance: str,
) -> GroupDetails:
    """Checked details: a name, known topics and support kinds, a known way of meeting."""
    name = " ".join(name.split())
    if not name:
        raise GroupError("Give the group a name.")
    if len(name) > MAX_NAME:
        raise GroupError(f"The name may have at most {MAX_NAME} characters.")
    if len(purpose) > MAX_TEXT:
        raise GroupError(f"The purpose may have at most {MAX_TEXT} characters.")
    if len(meeting_pattern) > MAX_PATTERN:
        raise GroupError(f"The meeting pattern may have at most {MAX_PATTERN} characters.")
    topics = tuple(dict.fromkeys(topics))
    unknown = [t for t in topics if t not in TOPICS]
    if unknown:
        raise GroupError(f"Unknown topic: {', '.join(unknown)}.")
    support = tuple(dict.fromkeys(support))
    unknown = [s for s in support if s not in GROUP_SUPPORT_KINDS]
    if unknown:
        raise GroupError(f"Unknown support: {', '.join(unknown)}.")
    if attendance not in ATTENDANCE:
        raise GroupError("Say whether the group meets online, in person or both.")
    return GroupDetails(
        name, purpose.strip(), topics, meeting_pattern.strip(),
        tuple(s for s in GROUP_SUPPORT_KINDS if s in support), attendance,
    )


def create_group(
    uow: UnitOfWork, details: GroupDetails, actor: UserRecord, at: datetime
) -> WorkingGroup:
    try:
        group = uow.groups.create(details, actor.email, at)
    except GroupNameTaken as exc:
        raise GroupError(f"A group called {details.name} already exists.", 409) from exc
    audit(uow, actor, "group_created", f"group-{group.group_id}", at)
    return group


def update_group(
    uow: UnitOfWork, group_id: int, details: GroupDetails, actor: UserRecord, at: datetime
) -> WorkingGroup:
    try:
        group = uow.groups.update(group_id, details, actor.email, at)
    except GroupNameTaken as exc:
        raise GroupError(f"A group called {details.name} already exists.", 409) from exc
    if group is None:
        raise GroupError("There is no such working group.", 404)
    audit(uow, actor, "group_changed", f"group-{group_id}", at)
    return group


def group_of(uow: UnitOfWork, group_id: int) -> WorkingGroup:
    group = uow.groups.get(group_id)
    if group is None:
        raise GroupError("There is no such working group.", 404)
    return group


def pipeline(uow: UnitOfWork, group: WorkingGroup) -> list[Recruit]:
    return uow.recruitment.pipeline(group.group_id, group.topics)


def recruit_of(uow: UnitOfWork, group: WorkingGroup, participant_id: str) -> Recruit:
    found = uow.recruitment.recruit(group.group_id, group.topics, participant_id)
    if found is None:
        raise GroupError("This person is not in the group's pipeline.", 404)
    return found


def meeting_date(day: str, time_of_day: str = "", today: date | None = None) -> str:
    """The date an invitation names, as the person will read it: `2026-12-09` or
    `2026-12-09 18:00` (digits read the same in every language). Not before `today`."""
    day = day.strip()
    time_of_day = time_of_day.strip()
    if not _DATE.fullmatch(day):
        raise GroupError("Give the meeting's date as YYYY-MM-DD.")
    try:
        when = date.fromisoformat(day)
    except ValueError as exc:
        raise GroupError("That date does not exist.") from exc
    if today is not None and when < today:
        raise GroupError("The meeting's date has passed: give a date from today on.")
    if time_of_day and not _TIME.fullmatch(time_of_day):
        raise GroupError("Give the meeting's time as HH:MM, or leave it empty.")
    return f"{day} {time_of_day}" if time_of_day else day


@dataclass(frozen=True)
class Moved:
    move: GroupMove
    invited: bool


def move(
    uow: UnitOfWork,
    group: WorkingGroup,
    participant_id: str,
    stage: str,
    actor: UserRecord,
    at: datetime,
    *,
    invite_on: str | None = None,
) -> Moved:
    """Moves the person to `stage`. With `invite_on` (a meeting date from `meeting_date`; only
    with `contacted`), an invitation is queued through the inbox for the engine to send, in
    the person's language and register: only to someone whose contact_group consent stands and
    who never said STOP. Every move is in the group's history and the audit log."""
    if stage not in PIPELINE_STAGES:
        raise GroupError("Choose a stage: interested, contacted, joined or declined.")
    found = recruit_of(uow, group, participant_id)
    address: str | None = None
    if invite_on is not None:
        if stage != "contacted":
            raise GroupError("An invitation goes with a move to contacted.")
        if not found.can_invite:
            raise GroupError(
                "This person cannot be invited: they said STOP, or no longer agree to be"
                " contacted about groups.", 409,
            )
        address = uow.people.address_of(participant_id, found.channel)
        if address is None:
            raise GroupError("No contact details are stored for this person.", 409)
    done = uow.recruitment.move(
        group.group_id, participant_id, stage, actor.email, at,
        invited_for=invite_on, invited=invite_on is not None,
    )
    if invite_on is not None and address is not None:
        invitation = GroupInvitation(
            channel=found.channel,
            address=address,
            key=f"{group.group_id}:{participant_id}:{at.isoformat()}",
            group_id=group.group_id,
            group=group.name,
            date=invite_on,
            offers=group.support,
            at=at,
        )
        uow.inbox.add(
            found.channel, invitation.provider_key, to_payload(invitation), at, sender=address
        )
    audit(
        uow, actor, "pipeline_move", f"group-{group.group_id}:{participant_id}", at,
        f"{done.from_stage} -> {done.to_stage}"
        + (f", invited for {invite_on}" if invite_on else ""),
    )
    return Moved(done, invite_on is not None)


@dataclass(frozen=True)
class RevealedRecruit:
    group: WorkingGroup
    recruit: Recruit
    channel: str
    address: str  # shown once, never logged


def reveal_contact(
    uow: UnitOfWork, group: WorkingGroup, participant_id: str, reason: str, actor: UserRecord,
    at: datetime,
) -> RevealedRecruit:
    """The person's number or chat id for a coordinator who stated why; every reveal is an
    audit record (who, whom, when, the reason)."""
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON:
        raise GroupError(
            f"Say why you need their contact details (at least {MIN_REASON} characters)."
        )
    if len(reason) > MAX_NOTE:
        raise GroupError(f"The reason may have at most {MAX_NOTE} characters.")
    found = recruit_of(uow, group, participant_id)
    address = uow.people.address_of(participant_id, found.channel)
    if address is None:
        raise GroupError("No contact details are stored for this person.", 404)
    audit(uow, actor, "reveal_contact", f"group-{group.group_id}:{participant_id}", at, reason)
    return RevealedRecruit(group, found, found.channel, address)


def volunteers_csv(recruits: Sequence[Recruit]) -> str:
    """The pipeline as CSV, without contact details (no number, chat id or channel address).
    Cells that a spreadsheet would run as a formula get an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in recruits:
        writer.writerow([
            _cell(v) for v in (
                r.participant_id, r.stage, " ".join(r.topics), " ".join(r.availability),
                " ".join(r.access_needs), r.interpreter_language or "", r.contact_method or "",
                r.language, r.register, r.interested_at.isoformat(), r.invited_for or "",
                r.updated_by or ("the person" if r.updated_at else ""),
                r.updated_at.isoformat() if r.updated_at else "",
            )
        ])
    return out.getvalue()


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def stage_counts(recruits: Iterable[Recruit]) -> dict[str, int]:
    counts = dict.fromkeys(PIPELINE_STAGES, 0)
    for r in recruits:
        counts[r.stage] = counts.get(r.stage, 0) + 1
    return counts


# --- pages


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 12 else None


def _details_from_form(ctx: PageContext) -> GroupDetails:
    form = ctx.form
    topics = [t for t in form.getlist("topics") if isinstance(t, str)] if form else []
    support = [s for s in form.getlist("support") if isinstance(s, str)] if form else []
    return details_from(
        ctx.field("name"), ctx.field("purpose"), topics, ctx.field("meeting_pattern"),
        support, ctx.field("attendance", "in_person"),
    )


def _render_list(ctx: PageContext, status_code: int = 200, **extra: object) -> Response:
    with ctx.unit_of_work() as uow:
        every = uow.groups.all()
        found = uow.recruitment.pipelines([(g.group_id, g.topics) for g in every])
        rows = [(g, stage_counts(found[g.group_id])) for g in every]
    return ctx.render(
        "groups.html", status_code=status_code, title="Working groups", rows=rows,
        topics=TOPICS, support=SUPPORT_LABELS, attendance=ATTENDANCE_LABELS,
        stages=STAGE_LABELS, **extra,
    )


@page("coordinator")
def groups_page(ctx: PageContext) -> Response:
    if ctx.form is not None:
        with ctx.unit_of_work() as uow:
            try:
                group = create_group(uow, _details_from_form(ctx), ctx.user.user, ctx.now())
            except GroupError as exc:
                uow.rollback()
                return _render_list(ctx, status_code=exc.status, error=str(exc))
            uow.commit()
        return ctx.redirect(f"/groups/{group.group_id}?created=1")
    return _render_list(ctx)


def _render_group(
    ctx: PageContext, group_id: int | None, status_code: int = 200, **extra: object
) -> Response:
    with ctx.unit_of_work() as uow:
        group = uow.groups.get(group_id) if group_id is not None else None
        if group is None:
            return ctx.render(
                "not_found.html", status_code=404, title="Working group not found"
            )
        recruits = pipeline(uow, group)
        moves = uow.recruitment.moves(group.group_id, limit=50)
    by_stage = {stage: [r for r in recruits if r.stage == stage] for stage in PIPELINE_STAGES}
    return ctx.render(
        "group.html", status_code=status_code, title=group.name, group=group,
        by_stage=by_stage, moves=moves, topics=TOPICS, support=SUPPORT_LABELS,
        attendance=ATTENDANCE_LABELS, stages=STAGE_LABELS, label=label,
        channels=CHANNEL_LABELS, min_reason=MIN_REASON, today=ctx.now().date().isoformat(),
        **extra,
    )


@page("coordinator")
def group_page(ctx: PageContext) -> Response:
    group_id = _int(ctx.request.path_params["group_id"])
    if ctx.form is not None and group_id is not None:
        with ctx.unit_of_work() as uow:
            try:
                update_group(uow, group_id, _details_from_form(ctx), ctx.user.user, ctx.now())
            except GroupError as exc:
                uow.rollback()
                if exc.status == 404:
                    return _render_group(ctx, None)
                return _render_group(ctx, group_id, status_code=exc.status, error=str(exc))
            uow.commit()
        return ctx.redirect(f"/groups/{group_id}?saved=1")
    query = ctx.request.query_params
    return _render_group(
        ctx, group_id, created=bool(query.get("created")), saved=bool(query.get("saved")),
        moved=query.get("moved", ""),
    )


@page("coordinator")
def move_page(ctx: PageContext) -> Response:
    group_id = _int(ctx.request.path_params["group_id"])
    pid = ctx.field("participant")
    with ctx.unit_of_work() as uow:
        group = uow.groups.get(group_id) if group_id is not None else None
        if group is None:
            return _render_group(ctx, None)
        try:
            invite_on = None
            if ctx.field("invite") in ("1", "yes", "on"):
                invite_on = meeting_date(
                    ctx.field("date"), ctx.field("time"), ctx.now().date()
                )
            move(uow, group, pid, ctx.field("stage"), ctx.user.user, ctx.now(),
                 invite_on=invite_on)
        except GroupError as exc:
            uow.rollback()
            return _render_group(
                ctx, group_id, status_code=exc.status, error=str(exc), failed=pid
            )
        uow.commit()
    return ctx.redirect(f"/groups/{group_id}?moved={pid}#person-{pid}")


@page("coordinator")
def reveal_page(ctx: PageContext) -> Response:
    group_id = _int(ctx.request.path_params["group_id"])
    pid = ctx.field("participant")
    with ctx.unit_of_work() as uow:
        group = uow.groups.get(group_id) if group_id is not None else None
        if group is None:
            return _render_group(ctx, None)
        try:
            revealed = reveal_contact(
                uow, group, pid, ctx.field("reason"), ctx.user.user, ctx.now()
            )
        except GroupError as exc:
            uow.rollback()
            return _render_group(
                ctx, group_id, status_code=exc.status, error=str(exc), failed=pid
            )
        uow.commit()
    return ctx.render(
        "group_contact.html", title="Contact details", revealed=revealed,
        channels=CHANNEL_LABELS, label=label,
    )


@page("coordinator")
def export_page(ctx: PageContext) -> Response:
    group_id = _int(ctx.request.path_params["group_id"])
    with ctx.unit_of_work() as uow:
        group = uow.groups.get(group_id) if group_id is not None else None
        if group is None:
            return _render_group(ctx, None)
        body = volunteers_csv(pipeline(uow, group))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="group-{group.group_id}-volunteers.csv"',
            "Cache-Control": "no-store",
        },
    )
