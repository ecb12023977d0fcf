"""Applications API: the applications in a user's scope (officers see the engine's result),
and forwarding a candidate within the unit's quota (same service, same lock as the page)."""
import datetime as dt

from django.http import Http404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from gongjiang.api.pagination import BoundedLimitOffset
from gongjiang.accounts.permissions import requires
from gongjiang.core.vocab import Role

from . import services

router = Router(tags=["申报"])


class ApplicationOut(Schema):
    id: int
    serial: str
    round_id: int
    name: str
    route: str
    tier: str = Field("", description="在同时评选几个称号（等级）的批次中所申报的称号代码，否则为空")
    status: str
    status_label: str
    employer: str | None
    unit_id: int | None
    unit_rank: int | None
    classified: bool
    version: int
    submitted_at: dt.datetime | None
    eligibility_status: str | None

    @staticmethod
    def resolve_tier(obj):
        return obj.honour_code

    @staticmethod
    def resolve_employer(obj):
        return obj.employer.name if obj.employer_id else None

    @staticmethod
    def resolve_status_label(obj, context):
        user = context["request"].user
        return obj.applicant_status if user.role == Role.APPLICANT else obj.staff_status

    @staticmethod
    def resolve_eligibility_status(obj, context):
        return None if context["request"].user.role == Role.APPLICANT else obj.eligibility_status


class StageOut(Schema):
    at: dt.datetime
    from_status: str | None
    to_status: str
    label: str
    actor: str
    reason: str


class EligibilityOut(Schema):
    application_id: int
    status: str
    explanation: dict


class ForwardIn(Schema):
    classified: bool = False
    reason: str = ""


def _visible(user, pk):
    app = services.visible_applications(user).filter(pk=pk).first()
    if app is None:
        raise Http404("application not visible")
    return app


@router.get("/", response=list[ApplicationOut], summary="可见的申报")
@paginate(BoundedLimitOffset)
@requires("application.view")
def list_applications(request, round: int | None = None, status: str = "", unit: int | None = None,
                      route: str = "", eligibility: str = "", q: str = ""):
    """Filters: `round`, `status`, `unit`, `route`, `eligibility` (pass / fail / needs_review) and `q`
    (part of the name or the serial number)."""
    from django.db.models import Q

    qs = services.visible_applications(request.user)
    if route:
        qs = qs.filter(route=route)
    if eligibility and request.user.role != Role.APPLICANT:
        qs = qs.filter(eligibility_status=eligibility)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(serial__contains=q))
    if round:
        qs = qs.filter(round_id=round)
    if status:
        qs = qs.filter(status=status)
    if unit:
        qs = qs.filter(unit_id=unit)
    return qs.order_by("pk")


@router.get("/{pk}", response=ApplicationOut, summary="申报详情")
@requires("application.view")
def get_application(request, pk: int):
    return _visible(request.user, pk)


@router.get("/{pk}/history", response=list[StageOut], summary="申报的状态变化（环节历史）")
@requires("application.view")
def history(request, pk: int):
    """Each change of status, oldest first, from the audit log. An applicant sees the applicant-facing
    labels only, without the officers' names and reasons."""
    app = _visible(request.user, pk)
    return services.stage_history(app, for_applicant=request.user.role == Role.APPLICANT)


@router.get("/{pk}/eligibility", response=EligibilityOut, summary="资格初判结果（逐条款，含所依据的事实）")
@requires("application.eligibility")
def eligibility(request, pk: int):
    app = _visible(request.user, pk)
    return {"application_id": app.pk, "status": app.eligibility_status, "explanation": app.eligibility or {}}


@router.post("/{pk}/forward", response=ApplicationOut, summary="推荐单位在名额内推荐报送")
@requires("recommendation.forward")
def forward(request, pk: int, payload: ForwardIn):
    app = _visible(request.user, pk)
    return services.forward(app, actor=request.user, classified=payload.classified, reason=payload.reason)
