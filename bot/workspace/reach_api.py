"""The reach API: `GET /api/reach` (the published report: the same rounded and protected numbers
as the page), the baseline (`GET` and `PUT /api/reach/baseline`), and re-invitations (`POST
/api/reach/reinvite`: without a key a preview with the key to confirm; with it, queued).
Coordinators only."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from bot.views.reach import (
    STATUS_TEXT,
    CategoryReach,
    DimensionReach,
    ReachReport,
    shown,
    shown_people,
)
from bot.workspace import reach
from bot.workspace.api import ApiUser, unit_of_work, workspace
from bot.workspace.auth import Principal
from bot.workspace.web import Workspace
from storage.records import Baseline
from storage.unit_of_work import UnitOfWork

router = APIRouter(tags=["reach"])

Dimension = Literal[
    "language", "channel", "age_band", "area", "ethnic_group", "disability", "carer"
]


class CategoryOut(BaseModel):
    category: str
    label: str
    reached: int | None = Field(
        description="people, rounded to a multiple of 5; null when fewer than 5 or hidden"
    )
    reached_text: str = Field(description='"fewer than 5", "withheld" or the number')
    suppressed: bool
    reached_share: float | None = Field(description="percent of people whose category is known")
    population_share: float | None = Field(description="percent, from the baseline")
    ratio: float | None = Field(description="reached share / population share")
    status: str
    status_text: str
    under_heard: bool


class DimensionOut(BaseModel):
    dimension: str
    label: str
    score: float | None = Field(
        description="100 x (1 - total variation distance) to the baseline; null without one"
    )
    known: int
    not_known: int | None
    not_known_text: str
    withheld: bool
    categories: list[CategoryOut]


class BaselineShareOut(BaseModel):
    dimension: str
    category: str
    share: float


class BaselineOut(BaseModel):
    source: str
    uploaded_by: str
    uploaded_at: datetime
    shares: list[BaselineShareOut]


class ReachOut(BaseModel):
    total: int | None = Field(description="people who gave views, rounded; null: fewer than 5")
    total_text: str
    dimensions: list[DimensionOut]
    baseline: BaselineOut | None


class BaselineIn(BaseModel):
    csv: str = Field(
        max_length=256 * 1024,
        description="lines of dimension,category,share (percent); # lines are notes",
    )
    source: str = Field(default="", max_length=500)


class ReinviteIn(BaseModel):
    dimension: Dimension
    key: str | None = Field(
        default=None, max_length=64, description="the preview's key: send it to confirm"
    )


class ReinviteOut(BaseModel):
    dimension: str
    categories: list[str]
    will_receive: str = Field(description='"nobody", "fewer than 5 people" or "about N people"')
    key: str | None = Field(description="send it back to confirm")
    reinvitation_id: int | None = None
    queued: str | None = Field(default=None, description="how many were queued, in words")
    again: bool = False


def category_out(c: CategoryReach) -> CategoryOut:
    return CategoryOut(
        category=c.category,
        label=c.label,
        reached=None if c.suppressed else c.reached,
        reached_text=c.reached_text,
        suppressed=c.suppressed,
        reached_share=c.reached_share,
        population_share=c.population_share,
        ratio=c.ratio,
        status=c.status,
        status_text=STATUS_TEXT[c.status],
        under_heard=c.under_heard,
    )


def dimension_out(d: DimensionReach) -> DimensionOut:
    return DimensionOut(
        dimension=d.dimension,
        label=d.label,
        score=d.score,
        known=d.known,
        not_known=None if d.not_known is None or d.not_known < 0 else d.not_known,
        not_known_text=d.not_known_text,
        withheld=d.withheld,
        categories=[category_out(c) for c in d.categories],
    )


def baseline_out(baseline: Baseline | None) -> BaselineOut | None:
    if baseline is None:
        return None
    return BaselineOut(
        source=baseline.source,
        uploaded_by=baseline.uploaded_by,
        uploaded_at=baseline.uploaded_at,
        shares=[BaselineShareOut(**vars(s)) for s in baseline.shares],
    )


def report_out(report: ReachReport) -> ReachOut:
    return ReachOut(
        total=report.total,
        total_text=shown(report.total) if report.total else "0",
        dimensions=[dimension_out(d) for d in report.dimensions],
        baseline=baseline_out(report.baseline),
    )


@router.get("/reach", summary="Who has and has not been heard (published, protected counts)")
def get_reach(
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
    ws: Workspace = Depends(workspace),  # noqa: B008
) -> ReachOut:
    return report_out(reach.report_of(uow, ws))


@router.get("/reach/baseline", summary="The population baseline in use")
def get_baseline(
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
) -> BaselineOut | None:
    return baseline_out(uow.baselines.current())


@router.put(
    "/reach/baseline",
    summary="Replace the population baseline (CSV text); 422 lists every problem by line",
)
def put_baseline(
    body: BaselineIn,
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
    ws: Workspace = Depends(workspace),  # noqa: B008
) -> BaselineOut:
    checked = reach.upload_baseline(uow, ws, body.csv, body.source, user.email, ws.now())
    if not checked.ok:
        raise HTTPException(422, {"errors": list(checked.errors) or ["no shares"]})
    uow.commit()
    found = baseline_out(uow.baselines.current())
    assert found is not None
    return found


@router.post(
    "/reach/reinvite",
    summary="Re-invite the under-heard groups of a dimension: preview, then confirm with the key",
)
def post_reinvite(
    body: ReinviteIn,
    user: Principal = Depends(ApiUser("coordinator")),  # noqa: B008
    uow: UnitOfWork = Depends(unit_of_work),  # noqa: B008
    ws: Workspace = Depends(workspace),  # noqa: B008
) -> ReinviteOut:
    plan = reach.plan_reinvite(uow, ws, body.dimension)
    if body.key is None:
        return ReinviteOut(
            dimension=plan.dimension,
            categories=list(plan.categories),
            will_receive=shown_people(plan.people),
            key=plan.key if plan.people else None,
        )
    done = reach.queue_reinvite(uow, ws, body.dimension, body.key, user.email, ws.now())
    uow.commit()
    return ReinviteOut(
        dimension=plan.dimension,
        categories=list(plan.categories),
        will_receive=shown_people(plan.people),
        key=None,
        reinvitation_id=done.reinvitation_id,
        queued=shown_people(done.queued),
        again=done.again,
    )
