"""Holders of honours, for the systems that act on them (talent cards, finance, archives): who
holds which title since when, with the certificate number, within the caller's data scope
(honours managed in, or held by people employed in, the caller's organisation subtree).
Never an ID or phone number."""
import datetime as dt

from django.db.models import Q
from ninja import Router, Schema
from ninja.pagination import paginate

from gongjiang.accounts.permissions import requires
from gongjiang.accounts.scope import org_q
from gongjiang.api.pagination import BoundedLimitOffset

router = Router(tags=["称号持有人"])


class HolderOut(Schema):
    id: int
    name: str
    title: str
    policy: str
    round_id: int
    employer: str | None
    occupation: str
    jurisdiction: str
    awarded_on: dt.date
    document_number: str
    term_start: dt.date
    term_end: dt.date | None
    status: str
    status_label: str
    certificate_number: str | None
    certificate_status: str

    @staticmethod
    def resolve_policy(obj):
        return obj.policy.code

    @staticmethod
    def resolve_employer(obj):
        return obj.employer.name if obj.employer_id else None

    @staticmethod
    def resolve_jurisdiction(obj):
        return obj.jurisdiction.name

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


def holders_in_scope(user):
    from gongjiang.honours.models import Honour

    return (Honour.objects.filter(org_q(user, "jurisdiction") | org_q(user, "employer"))
            .select_related("policy", "employer", "jurisdiction").defer("policy__document"))


@router.get("/", response=list[HolderOut], summary="称号持有人（分页；可按授予日期、状态、称号、政策筛选）")
@paginate(BoundedLimitOffset)
@requires("honour.view")
def list_holders(request, awarded_since: dt.date | None = None, status: str = "", title: str = "", policy: str = "",
                 q: str = ""):
    """Newest awards first. `awarded_since` (YYYY-MM-DD) is what a system pulling new holders
    passes: the day after its last pull."""
    qs = holders_in_scope(request.user)
    if awarded_since:
        qs = qs.filter(awarded_on__gte=awarded_since)
    if status:
        qs = qs.filter(status=status)
    if title:
        qs = qs.filter(title__contains=title)
    if policy:
        qs = qs.filter(policy__code=policy)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(certificate_number__contains=q))
    return qs.order_by("-awarded_on", "-pk")
