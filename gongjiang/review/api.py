"""Review API: an expert's assigned candidates and scoring (an expert sees and scores only their
active assignments; anything else is 404), panel detail and board counts for bureau officers,
and the expert pool in the officer's jurisdiction. Session authentication with CSRF on writes;
the capability is checked before the input is parsed (see gongjiang/api/urls.py)."""
import datetime as dt

from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import paginate

from gongjiang.api.pagination import BoundedLimitOffset
from gongjiang.accounts.permissions import requires

from . import experts as ex
from . import services
from .models import Panel

router = Router(tags=["评审"])


class CriterionOut(Schema):
    code: str
    label: str
    max_points: str
    description: str


class ScoreOut(Schema):
    points: dict[str, str]
    total: str
    comment: str
    submitted_at: dt.datetime


class AssignmentOut(Schema):
    application_id: int
    serial: str
    name: str
    employer: str
    occupation: str
    round: str
    panel: str
    scored: bool
    total: str | None


class CandidateOut(AssignmentOut):
    gender: str
    skill_level: str
    category: str
    deed_text: str
    rubric: list[CriterionOut]
    score: ScoreOut | None


class ScoreIn(Schema):
    points: dict[str, str]
    comment: str


class PanelMemberOut(Schema):
    expert_id: int
    name: str
    application_id: int
    candidate: str
    reserve: bool
    active: bool
    withdrawn_reason: str
    total: str | None


class PanelOut(Schema):
    id: int
    round_id: int
    name: str
    method: str
    method_label: str
    seed: str
    size: int
    min_size: int
    occupations: list[str]
    formed_by: str
    formed_at: dt.datetime
    closed_at: dt.datetime | None
    assignments: list[PanelMemberOut]


class BoardColumnOut(Schema):
    state: str
    label: str
    count: int


class ExpertOut(Schema):
    id: int
    name: str
    pool: str
    occupations: list[str]
    employer: str
    title: str
    is_active: bool
    from_registry: bool


def _score_of(assignment):
    return getattr(assignment, "score", None)


def _assignment_row(a) -> dict:
    app = a.application
    score = _score_of(a)
    return {"application_id": app.pk, "serial": app.serial, "name": app.name,
            "employer": app.employer.name if app.employer_id else "",
            "occupation": services.candidate_occupation(app), "round": app.round.title, "panel": a.panel.name,
            "scored": score is not None, "total": str(score.total) if score else None}


def _candidate(a) -> dict:
    snap = services.candidate_snapshot(a.application)
    score = _score_of(a)
    rubric = services.rubric_for(a.application.round)
    return {**_assignment_row(a), "gender": snap["gender_label"], "skill_level": snap["skill_level_label"],
            "category": snap["category"], "deed_text": a.application.deed_text or "",
            "rubric": [{"code": c.code, "label": c.label, "max_points": str(c.max_points),
                        "description": c.description} for c in rubric.criteria],
            "score": {"points": score.points, "total": str(score.total), "comment": score.comment,
                      "submitted_at": score.submitted_at} if score else None}


@router.get("/assignments", response=list[AssignmentOut], summary="专家：我的评审任务")
@requires("review.score")
def my_assignments(request):
    return [_assignment_row(a) for a in services.assignments_for(request.user).select_related("score")]


@router.get("/assignments/{application_id}", response=CandidateOut, summary="专家：评审对象详情")
@requires("review.score")
def my_candidate(request, application_id: int):
    return _candidate(services.assignment_for(request.user, application_id))


@router.post("/assignments/{application_id}/score", response=CandidateOut, summary="专家：提交或修改评分")
@requires("review.score")
def score(request, application_id: int, payload: ScoreIn):
    a = services.assignment_for(request.user, application_id)
    services.submit_score(a, actor=request.user, points=payload.points, comment=payload.comment)
    return _candidate(services.assignment_for(request.user, application_id))


@router.get("/panels/{panel_id}", response=PanelOut, summary="专家组详情")
@requires("review.manage")
def panel_detail(request, panel_id: int):
    panel = Panel.objects.select_related("drawn_by").filter(pk=panel_id).first()
    if panel is None:
        raise Http404("no such panel")
    services.round_for(request.user, panel.round_id)  # 404 outside the officer's rounds
    rows = (panel.assignments.select_related("expert", "application", "score")
            .order_by("application__serial", "expert__name"))
    return {"id": panel.pk, "round_id": panel.round_id, "name": panel.name, "method": panel.method,
            "method_label": panel.get_method_display(), "seed": panel.seed, "size": panel.size,
            "min_size": panel.min_size, "occupations": panel.occupations, "formed_by": str(panel.drawn_by),
            "formed_at": panel.drawn_at, "closed_at": panel.closed_at,
            "assignments": [{"expert_id": a.expert_id, "name": a.expert.name, "application_id": a.application_id,
                             "candidate": a.application.name, "reserve": a.is_reserve, "active": a.active,
                             "withdrawn_reason": a.withdrawn_reason,
                             "total": str(a.score.total) if _score_of(a) else None} for a in rows]}


@router.get("/rounds/{round_id}/board", response=list[BoardColumnOut], summary="评审看板：各环节人数")
@requires("review.manage")
def board_counts(request, round_id: int):
    return ex.board_counts(services.round_for(request.user, round_id))


@router.get("/experts", response=list[ExpertOut], summary="本辖区专家库")
@paginate(BoundedLimitOffset)
@requires("review.manage")
def experts(request, q: str = "", occupation: str = "", employer: str = "", level: str = "",
            active: bool | None = None):
    qs = ex.search_experts(ex.experts_in_scope(request.user), q=q.strip(), occupation=occupation.strip(),
                           employer=employer.strip(), level=level.strip(), active=active)
    return [{"id": e.pk, "name": e.name, "pool": e.pool.name, "occupations": e.occupations,
             "employer": ex.employer_label(e), "title": e.title, "is_active": e.is_active,
             "from_registry": bool(e.person_id)} for e in qs]
