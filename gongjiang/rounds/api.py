"""Rounds API: the rounds an officer works on, with their calendar and unit quotas."""
import datetime as dt

from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

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
@paginate(LimitOffsetPagination)
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
