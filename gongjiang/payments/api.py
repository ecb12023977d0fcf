"""Payments for the finance system (finance role only, capability `payments.api`): the batches of
the caller's organisation subtree, each batch's lines and the budgets. Amounts are integer fen.
A line names the payee with the masked ID number only; full ID and account numbers go to the bank
in the bank file (payments.bank_file), never through this API."""
import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from gongjiang.accounts.permissions import requires
from gongjiang.accounts.scope import org_q
from gongjiang.api.pagination import BoundedLimitOffset

from .models import Budget, LineStatus, PaymentLine, PaymentRun

router = Router(tags=["资金发放"])
YEAR = Query(None, ge=1990, le=2200, description="年度")


class PaymentRunOut(Schema):
    id: int
    organisation: str
    period_kind: str
    period_label: str
    period_start: dt.date
    period_end: dt.date
    requeue_of_id: int | None
    status: str
    status_label: str
    line_count: int
    total_fen: int
    held_count: int
    created_at: dt.datetime
    prepared_at: dt.datetime | None
    approved_at: dt.datetime | None
    exported_at: dt.datetime | None
    settled_at: dt.datetime | None

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.name

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class PaymentLineOut(Schema):
    id: int
    reference: str
    run_id: int
    name: str
    id_number_masked: str
    benefit: str
    article: str
    policy: str
    instalment: int
    due_date: dt.date
    amount_fen: int
    status: str
    status_label: str
    reason: str
    result_at: dt.datetime | None

    @staticmethod
    def resolve_name(obj):
        return obj.entitlement.person.name

    @staticmethod
    def resolve_id_number_masked(obj):
        return obj.entitlement.person.id_number_masked

    @staticmethod
    def resolve_benefit(obj):
        return obj.entitlement.name

    @staticmethod
    def resolve_article(obj):
        return obj.entitlement.article

    @staticmethod
    def resolve_policy(obj):
        return obj.entitlement.policy.code

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class BudgetOut(Schema):
    policy: str
    policy_title: str
    year: int
    amount_fen: int
    note: str

    @staticmethod
    def resolve_policy(obj):
        return obj.policy.code

    @staticmethod
    def resolve_policy_title(obj):
        return obj.policy.title


def _runs(user):
    return PaymentRun.objects.filter(org_q(user, "organisation")).select_related("organisation")


@router.get("/runs", response=list[PaymentRunOut], summary="发放批次（分页；可按状态、年度筛选；仅财务人员）")
@paginate(BoundedLimitOffset)
@requires("payments.api")
def list_runs(request, status: PaymentRun.Status | None = None, year: int | None = YEAR):
    qs = _runs(request.user)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(period_start__year=year)
    return qs.order_by("-period_start", "-pk")


@router.get("/runs/{run_id}", response=PaymentRunOut, summary="一个发放批次（仅财务人员）")
@requires("payments.api")
def get_run(request, run_id: int):
    return get_object_or_404(_runs(request.user), pk=run_id)


@router.get("/runs/{run_id}/lines", response=list[PaymentLineOut],
            summary="一个批次的发放明细（分页；可按状态筛选；身份证号码脱敏；仅财务人员）")
@paginate(BoundedLimitOffset)
@requires("payments.api")
def list_lines(request, run_id: int, status: LineStatus | None = None):
    run = get_object_or_404(_runs(request.user), pk=run_id)
    qs = (PaymentLine.objects.filter(run=run)
          .select_related("entitlement__person", "entitlement__policy")
          .only("id", "reference", "run_id", "instalment", "due_date", "amount_fen", "status", "reason", "result_at",
                "entitlement__name", "entitlement__article", "entitlement__person__name",
                "entitlement__person__id_number_masked", "entitlement__policy__code"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("pk")


@router.get("/budgets", response=list[BudgetOut], summary="各项目年度预算（分页；可按年度筛选；仅财务人员）")
@paginate(BoundedLimitOffset)
@requires("payments.api")
def list_budgets(request, year: int | None = YEAR):
    qs = Budget.objects.filter(org_q(request.user, "policy__jurisdiction")).select_related("policy") \
        .defer("policy__document")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "policy__code")
