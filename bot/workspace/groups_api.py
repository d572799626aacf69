"""`/api/groups`: working groups and their recruitment pipelines for programs (the same actions
as the pages, in bot.workspace.groups). Coordinators only: a pipeline shows people's access
needs."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from bot.terms import Attendance, SupportKind
from bot.workspace import groups
from bot.workspace.api import ApiUser, commit_change, unit_of_work, workspace
from bot.workspace.auth import Principal
from bot.workspace.safety import MAX_NOTE, MIN_REASON
from storage.records import GroupDetails, Recruit, WorkingGroup
from storage.unit_of_work import UnitOfWork

router = APIRouter(tags=["working groups"])

Stage = Literal["interested", "contacted", "joined", "declined"]
Topic = Literal["day_services", "home_care", "carers", "housing", "mental_health", "other"]


class GroupIn(BaseModel):
    name: str = Field(min_length=1, max_length=groups.MAX_NAME)
    purpose: str = Field("", max_length=groups.MAX_TEXT)
    topics: list[Topic] = Field(
        default_factory=list,
        description="the join flow's topics; people interested in one appear as interested "
        "(none: every topic)",
    )
    meeting_pattern: str = Field("", max_length=groups.MAX_PATTERN)
    support: list[SupportKind] = Field(
        default_factory=list,
        description="support the group offers; the bot mentions only what some group offers",
    )
    attendance: Attendance = "in_person"


class GroupOut(BaseModel):
    id: int
    name: str
    purpose: str
    topics: list[str]
    meeting_pattern: str
    support: list[str]
    attendance: str
    created_at: datetime
    updated_at: datetime | None
    updated_by: str | None
    counts: dict[str, int] = Field(description="people per pipeline stage")


class RecruitOut(BaseModel):
    participant_id: str = Field(description="the random pseudonym")
    stage: Stage
    topics: list[str]
    availability: list[str]
    access_needs: list[str]
    interpreter_language: str | None
    contact_method: str | None = Field(
        description="how they prefer to be contacted (never the address)"
    )
    language: str
    language_register: str = Field(description="standard or easy (easy read)")
    interested_at: datetime
    moved_at: datetime | None
    moved_by: str | None = Field(description="a coordinator's email; null: the person's reply")
    invited_for: str | None
    can_invite: bool = Field(description="contact_group consent stands and they never said STOP")


class MoveIn(BaseModel):
    stage: Stage
    invite: bool = Field(False, description="send an invitation (only with stage contacted)")
    date: str | None = Field(None, description="the meeting's date, YYYY-MM-DD (with invite)")
    time: str | None = Field(None, description="the meeting's time, HH:MM (optional)")


class MoveOut(BaseModel):
    participant_id: str
    from_stage: str
    to_stage: str
    invited: bool
    by: str | None
    at: datetime


class RevealIn(BaseModel):
    reason: str = Field(
        min_length=MIN_REASON, max_length=MAX_NOTE,
        description="why you need the person's contact details (kept in the audit log)",
    )


class ContactOut(BaseModel):
    participant_id: str
    channel: str
    address: str = Field(description="the phone number or Telegram chat id")


def _group_out(group: WorkingGroup, recruits: list[Recruit]) -> GroupOut:
    return GroupOut(
        id=group.group_id, name=group.name, purpose=group.purpose, topics=list(group.topics),
        meeting_pattern=group.meeting_pattern, support=list(group.support),
        attendance=group.attendance, created_at=group.created_at, updated_at=group.updated_at,
        updated_by=group.updated_by, counts=groups.stage_counts(recruits),
    )


def _recruit_out(r: Recruit) -> RecruitOut:
    return RecruitOut(
        participant_id=r.participant_id, stage=r.stage,  # type: ignore[arg-type]
        topics=list(r.topics), availability=list(r.availability),
        access_needs=list(r.access_needs), interpreter_language=r.interpreter_language,
        contact_method=r.contact_method, language=r.language, language_register=r.register,
        interested_at=r.interested_at, moved_at=r.updated_at, moved_by=r.updated_by,
        invited_for=r.invited_for, can_invite=r.can_invite,
    )


def _details(body: GroupIn) -> GroupDetails:
    try:
        return groups.details_from(
            body.name, body.purpose, body.topics, body.meeting_pattern, body.support,
            body.attendance,
        )
    except groups.GroupError as exc:
        raise _refused(exc) from exc


def _refused(exc: groups.GroupError) -> HTTPException:
    return HTTPException(exc.status, str(exc))


def _group(uow: UnitOfWork, group_id: int) -> WorkingGroup:
    try:
        return groups.group_of(uow, group_id)
    except groups.GroupError as exc:
        raise _refused(exc) from exc


@router.get("/groups", summary="Working groups, with people per pipeline stage")
def list_groups(
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
) -> list[GroupOut]:
    every = uow.groups.all()
    found = uow.recruitment.pipelines([(g.group_id, g.topics) for g in every])
    return [_group_out(g, found[g.group_id]) for g in every]


@router.post("/groups", status_code=201, summary="Create a working group")
def create_group(
    body: GroupIn,
    request: Request,
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
) -> GroupOut:
    return commit_change(
        uow,
        lambda: groups.create_group(uow, _details(body), user.user, workspace(request).now()),
        lambda group: _group_out(group, groups.pipeline(uow, group)),
        groups.GroupError,
        _refused,
    )


@router.get("/groups/{group_id}", summary="One working group")
def get_group(
    group_id: int,
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
) -> GroupOut:
    group = _group(uow, group_id)
    return _group_out(group, groups.pipeline(uow, group))


@router.put("/groups/{group_id}", summary="Change a working group's details")
def update_group(
    group_id: int,
    body: GroupIn,
    request: Request,
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
) -> GroupOut:
    return commit_change(
        uow,
        lambda: groups.update_group(
            uow, group_id, _details(body), user.user, workspace(request).now()
        ),
        lambda group: _group_out(group, groups.pipeline(uow, group)),
        groups.GroupError,
        _refused,
    )


@router.get("/groups/{group_id}/pipeline", summary="The group's recruitment pipeline")
def get_pipeline(
    group_id: int,
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
) -> list[RecruitOut]:
    return [_recruit_out(r) for r in groups.pipeline(uow, _group(uow, group_id))]


@router.post(
    "/groups/{group_id}/pipeline/{participant_id}/move",
    summary="Move a person to a stage; with invite, queue an invitation asking YES or NO",
)
def move_person(
    group_id: int,
    participant_id: str,
    body: MoveIn,
    request: Request,
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
) -> MoveOut:
    group = _group(uow, group_id)
    now = workspace(request).now()

    def change() -> groups.Moved:
        invite_on = (
            groups.meeting_date(body.date or "", body.time or "", now.date())
            if body.invite
            else None
        )
        return groups.move(
            uow, group, participant_id, body.stage, user.user, now, invite_on=invite_on
        )

    def answer(moved: groups.Moved) -> MoveOut:
        m = moved.move
        return MoveOut(
            participant_id=m.participant_id, from_stage=m.from_stage, to_stage=m.to_stage,
            invited=m.invited, by=m.by, at=m.at,
        )

    return commit_change(uow, change, answer, groups.GroupError, _refused)


@router.post(
    "/groups/{group_id}/pipeline/{participant_id}/reveal",
    summary="The person's number or chat id, for a stated reason (written to the audit log)",
)
def reveal(
    group_id: int,
    participant_id: str,
    body: RevealIn,
    request: Request,
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
) -> ContactOut:
    group = _group(uow, group_id)
    return commit_change(
        uow,
        lambda: groups.reveal_contact(
            uow, group, participant_id, body.reason, user.user, workspace(request).now()
        ),
        lambda revealed: ContactOut(
            participant_id=participant_id, channel=revealed.channel, address=revealed.address
        ),
        groups.GroupError,
        _refused,
    )


@router.get(
    "/groups/{group_id}/export",
    summary="The group's volunteers as CSV, without contact details",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_volunteers(
    group_id: int,
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
) -> Response:
    group = _group(uow, group_id)
    return Response(
        groups.volunteers_csv(groups.pipeline(uow, group)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="group-{group_id}-volunteers.csv"',
            "Cache-Control": "no-store",
        },
    )
