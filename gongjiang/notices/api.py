"""Public notices API: the published notices (公示) and their candidates, as on the public pages.

Open to everyone (auth=None): a notice is published to society (惠阳 第十条（七）, 环翠 第十条（五）).
Only what the public page shows: name, gender, employer, occupation, skill level and honour of
each candidate; never an ID number, a phone number or the application behind an entry. Objections
are filed on the page (/notices/<id>/objection/), which has the rate limits and the receipt.
"""
import datetime as dt

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema
from ninja.pagination import paginate

from gongjiang.api.pagination import BoundedLimitOffset
from gongjiang.core.errors import DomainError

from . import services
from .models import Notice

router = Router(tags=["公示"])

STATE_LABELS = {"upcoming": "尚未开始", "running": "公示中", "ended": "公示期满"}


class EntryOut(Schema):
    position: int
    name: str
    gender: str
    employer: str
    occupation: str
    skill_level: str
    honour: str
    removed: bool

    @staticmethod
    def resolve_gender(obj):
        return obj.get_gender_display() if obj.gender else ""

    @staticmethod
    def resolve_skill_level(obj):
        return obj.get_skill_level_display() if obj.skill_level is not None else ""


class NoticeOut(Schema):
    id: int
    title: str
    organisation: str
    policy_ref: str
    start_date: dt.date
    end_date: dt.date
    days: int
    state: str
    state_label: str
    contact: str
    corrects_id: int | None
    corrected_by_id: int | None
    objection_page: str

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.name

    @staticmethod
    def resolve_state(obj):
        return services.period_state(obj, timezone.localdate())

    @staticmethod
    def resolve_state_label(obj):
        return STATE_LABELS[services.period_state(obj, timezone.localdate())]

    @staticmethod
    def resolve_corrected_by_id(obj):
        if hasattr(obj, "corrected_by"):  # annotated by services.public_notices
            return obj.corrected_by
        return Notice.objects.filter(corrects=obj).values_list("pk", flat=True).first()

    @staticmethod
    def resolve_objection_page(obj):
        return reverse("notices:file_objection", args=[obj.pk])


class NoticeDetailOut(NoticeOut):
    body: str
    investigation_days: int
    require_real_name: bool
    entries: list[EntryOut]

    @staticmethod
    def resolve_entries(obj):
        return list(obj.entries.all())


@router.get("/", response=list[NoticeOut], auth=None, summary="已发布的公示（公开）")
@paginate(BoundedLimitOffset)
def list_notices(request, state: str = "", q: str = "", organisation: str = "", year: int | None = None):
    """Newest first. `state`: upcoming / running / ended (by today's date); `q`: part of the title or
    of the publishing organisation's name; `organisation`: part of the organisation's name; `year`:
    the year the notice period starts."""
    if year is not None and not 1900 <= year <= 9999:
        raise DomainError("年份应在 1900 至 9999 之间", log=f"notice list year {year}")
    qs = services.public_notices(state=state, q=q, year=year)
    if organisation:
        qs = qs.filter(organisation__name__contains=organisation)
    return qs


@router.get("/{pk}", response=NoticeDetailOut, auth=None, summary="公示详情（公开）")
def get_notice(request, pk: int):
    notice = Notice.objects.select_related("organisation").filter(pk=pk).first()
    if notice is None:
        raise Http404("notice not found")
    return notice
