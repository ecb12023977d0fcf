"""Rounds API: the rounds an officer works on, with their calendar and unit quotas."""
import datetime as dt

from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import paginate

from gongjiang.api.pagination import BoundedLimitOffset
from gongjiang.accounts.permissions import requires

from . import services

router = Router(tags=["遴选批次"])


class UnitOut(Schema):
    id: int
    organisation: str
    kind: str
    kind_label: str
    quota: int
    report_submitted: bool

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.name

    @staticmethod
    def resolve_report_submitted(obj):
        return obj.report_submitted_at is not None


class RoundOut(Schema):
    id: int
    code: str
    title: str
    year: int
    policy: str
    honour_title: str
    status: str
    reference_date: dt.date
    opens_on: dt.date
    application_deadline: dt.date
    recommendation_deadline: dt.date | None
    review_deadline: dt.date | None
    quota: int
    allows_self_application: bool

    @staticmethod
    def resolve_policy(obj):
        return obj.policy.code


@router.get("/", response=list[RoundOut], summary="可见的遴选批次")
@paginate(BoundedLimitOffset)
@requires("round.view")
def list_rounds(request, status: str = "", year: int | None = None):
    qs = services.visible_rounds(request.user)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "pk")


@router.get("/{pk}/units", response=list[UnitOut], summary="推荐单位及名额")
@requires("round.view")
def round_units(request, pk: int):
    rnd = services.visible_rounds(request.user).filter(pk=pk).first()
    if rnd is None:
        raise Http404("round not visible")
    return list(rnd.units.select_related("organisation"))


class CallOut(Schema):
    code: str
    title: str
    year: int
    organiser: str
    honour_title: str
    status: str
    status_label: str
    opens_on: dt.date
    application_deadline: dt.date
    accepting: bool
    contact: str
    page: str

    @staticmethod
    def resolve_organiser(obj):
        return obj.organiser.name

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_accepting(obj):
        return obj.is_accepting

    @staticmethod
    def resolve_page(obj):
        from django.urls import reverse

        return reverse("rounds:public_call", args=[obj.code])


class CallDetailOut(CallOut):
    call_text: str
    reference_date: dt.date
    quota: int
    deadlines: list[dict]
    conditions: list[dict]
    tiers: list[dict]

    @staticmethod
    def resolve_deadlines(obj):
        from .models import DeadlineKind

        return [{"kind": k.value, "label": k.label, "date": obj.deadline(k)} for k in DeadlineKind if obj.deadline(k)]

    @staticmethod
    def resolve_conditions(obj):
        """The honour's conditions; in a round of several tiers each tier's are under `tiers`."""
        from . import policy_link

        return [] if obj.tiers else policy_link.conditions(obj)

    @staticmethod
    def resolve_tiers(obj):
        """Each tier of a round of several (code, title, quota, article, conditions); [] otherwise."""
        from . import policy_link

        return policy_link.tier_conditions(obj)


@router.get("/calls", response=list[CallOut], auth=None, summary="申报通知（公开，分页，可按年度和关键词筛选）")
@paginate(BoundedLimitOffset)
def list_calls(request, q: str = "", year: int | None = None, accepting: bool = False):
    """Published calls, newest first: `q` part of the title or organiser, `year`, `accepting` only
    those open for applications today."""
    from django.utils import timezone

    from .forms import PublicCallFilter

    form = PublicCallFilter({"q": q, "year": year or "", "accepting": accepting or ""})
    return form.filter(services.public_rounds().defer("policy__document"), timezone.localdate()).order_by("-opens_on", "-pk")


@router.get("/calls/{code}", response=CallDetailOut, auth=None, summary="申报通知详情（公开）：时间安排和申报条件")
def get_call(request, code: str):
    rnd = services.public_rounds().filter(code=code).first()
    if rnd is None:
        raise Http404("no such public call")
    return rnd
