"""Registry API: people in the officer's scope (masked numbers), a person's facts (add, verify),
and screening runs (create, status, cancel, paginated results). Session auth with CSRF on writes;
the capability is checked before input is parsed (gongjiang/api/urls.py), so fact input is read
from the body only inside the handler and validated by the same forms as the pages.
Out-of-scope people, facts and runs are 404."""
import datetime as dt
import json

from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import paginate

from gongjiang.api.pagination import BoundedLimitOffset
from gongjiang.accounts.permissions import requires
from gongjiang.core.errors import DomainError

from . import screening, services
from .forms import FACT_KINDS
from .models import ScreeningRun
from .views import FACT_SECTIONS, _cell

router = Router(tags=["人才库"])


class PersonOut(Schema):
    id: int
    name: str
    id_number_masked: str
    phone_masked: str
    gender: str
    birth_date: dt.date
    jurisdiction: str
    source: str
    verification: str

    @staticmethod
    def resolve_jurisdiction(obj):
        return obj.jurisdiction.name


class FactOut(Schema):
    kind: str
    id: int
    label: str
    fields: dict
    source: str
    verification: str


class PersonDetailOut(PersonOut):
    facts: list[FactOut]


class VerifyIn(Schema):
    decision: str
    reason: str


class ScreeningIn(Schema):
    policy: str
    reference_date: dt.date


class RunOut(Schema):
    id: int
    policy: str
    reference_date: dt.date
    scope: str
    status: str
    total: int
    done: int
    eligible: int
    needs_review: int
    not_eligible: int
    clause_ids: list[str]

    @staticmethod
    def resolve_policy(obj):
        return obj.policy.code

    @staticmethod
    def resolve_scope(obj):
        return obj.scope.name


class ResultOut(Schema):
    person_id: int
    name: str
    id_number_masked: str
    outcome: str
    failing: list[str]
    needs_review: list[str]


def _person(user, pk, people=None):
    person = (people if people is not None else services.scoped_people(user)).filter(pk=pk).first()
    if person is None:
        raise Http404("person out of scope")
    return person


def _facts(person):
    from .forms import KIND_OF_RELATED

    out = []
    for rel, _title, fields in FACT_SECTIONS:
        kind = KIND_OF_RELATED.get(rel)
        for obj in getattr(person, rel).all():
            out.append({"kind": kind.slug if kind else rel, "id": obj.pk, "label": str(obj),
                        "fields": {f: str(_cell(obj, f)) for f in fields},
                        "source": obj.source, "verification": obj.verification})
    return out


def _detail(person):
    person.facts = _facts(person)
    return person


@router.get("/people", response=list[PersonOut], summary="本辖区人员（号码脱敏）")
@paginate(BoundedLimitOffset)
@requires("registry.view")
def list_people(request, q: str = ""):
    qs = services.scoped_people(request.user).select_related("jurisdiction")
    if q.strip():
        qs = qs.filter(name__contains=q.strip())
    return qs.order_by("pk")


@router.get("/people/{pk}", response=PersonDetailOut, summary="人员详情及事实（号码脱敏）")
@requires("registry.view")
def get_person(request, pk: int):
    return _detail(_person(request.user, pk))


@router.post("/people/{pk}/facts/{kind}", response={201: FactOut}, summary="添加事实（字段同网页表单）")
@requires("registry.edit")
def add_fact(request, pk: int, kind: str):
    person = _person(request.user, pk, services.editable_people(request.user))
    fact_kind = FACT_KINDS.get(kind)
    if fact_kind is None:
        raise Http404("unknown fact kind")
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise DomainError("请求体须为 JSON", log="bad json") from None
    if not isinstance(data, dict):
        raise DomainError("请求体须为 JSON 对象", log="json not an object")
    form = fact_kind.form(data, person=person, actor=request.user)
    if not form.is_valid():
        errors = "；".join(f"{form.fields[f].label if f in form.fields else '表单'}：{'，'.join(e)}"
                          for f, e in form.errors.items())
        raise DomainError(errors, log="fact invalid")
    fact = services.save_fact(form, actor=request.user)
    return 201, next(f for f in _facts(person) if f["kind"] == kind and f["id"] == fact.pk)


@router.post("/people/{pk}/facts/{kind}/{fact_id}/verify", response=FactOut, summary="核验或驳回事实（须写理由）")
@requires("registry.verify")
def verify_fact(request, pk: int, kind: str, fact_id: int, payload: VerifyIn):
    person = _person(request.user, pk, services.editable_people(request.user))
    fact_kind = FACT_KINDS.get(kind)
    fact = getattr(person, fact_kind.related).filter(pk=fact_id).first() if fact_kind else None
    if fact is None:
        raise Http404("fact not found")
    services.verify_fact(fact, actor=request.user, decision=payload.decision, reason=payload.reason)
    return next(f for f in _facts(person) if f["kind"] == kind and f["id"] == fact.pk)


def _run(user, pk):
    run = ScreeningRun.objects.select_related("policy", "scope").filter(pk=pk).first()
    if run is None or not user.organisation or not user.organisation.contains(run.scope):
        raise Http404("run out of scope")
    return run


@router.post("/screening", response={201: RunOut}, summary="发起资格筛查")
@requires("registry.screen")
def create_screening(request, payload: ScreeningIn):
    from gongjiang.policy.models import Policy

    policy = Policy.objects.filter(code=payload.policy).first()
    if policy is None:
        raise DomainError("未知的政策", log=f"unknown policy {payload.policy!r}")
    return 201, screening.start_screening(policy=policy, reference_date=payload.reference_date, actor=request.user)


@router.get("/screening/{pk}", response=RunOut, summary="筛查状态")
@requires("registry.screen")
def get_screening(request, pk: int):
    return _run(request.user, pk)


@router.post("/screening/{pk}/cancel", response=RunOut, summary="取消筛查")
@requires("registry.screen")
def cancel_screening(request, pk: int):
    run = _run(request.user, pk)
    screening.cancel_screening(run, actor=request.user)
    run.refresh_from_db()
    return run


OUTCOME_WORDS = {0: "eligible", 1: "needs_review", 2: "not_eligible"}


@router.get("/screening/{pk}/results", response=list[ResultOut], summary="筛查结果（分页，可按结论和条款筛选）")
@paginate(BoundedLimitOffset)
@requires("registry.screen")
def screening_results(request, pk: int, outcome: int | None = None, failing: str = "", reviewing: str = ""):
    run = _run(request.user, pk)
    if outcome is not None and outcome not in OUTCOME_WORDS:
        raise DomainError("结论须为 0（符合）、1（需人工审核）或 2（不符合）", log="bad outcome")
    qs = screening.results_query(run, outcome=outcome, failing=failing, reviewing=reviewing)
    return _ResultRows(run, qs)


class _ResultRows:
    """A lazy, sliceable view of result rows for the paginator (no per-row query for clause labels)."""

    def __init__(self, run, qs):
        self.run, self.qs = run, qs

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [{"person_id": r.person_id, "name": r.person.name, "id_number_masked": r.person.id_number_masked,
                 "outcome": OUTCOME_WORDS[r.outcome],
                 "failing": screening.clauses_of_mask(self.run, r.fail_mask),
                 "needs_review": screening.clauses_of_mask(self.run, r.review_mask)} for r in self.qs[item]]


class ImportOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    file_name: str
    jurisdiction: str
    created_at: dt.datetime
    committed_at: dt.datetime | None
    rows_total: int
    rows_done: int
    rows_created: int
    rows_updated: int
    rows_unchanged: int
    error_count: int

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_jurisdiction(obj):
        return obj.jurisdiction.name

    @staticmethod
    def resolve_error_count(obj):
        return len(obj.errors or [])


@router.get("/imports", response=list[ImportOut], summary="导入批次（本辖区，分页，可按类型和状态筛选）")
@paginate(BoundedLimitOffset)
@requires("registry.import")
def list_imports(request, kind: str = "", status: str = ""):
    from .models import ImportBatch

    qs = (ImportBatch.objects.select_related("jurisdiction")
          .filter(jurisdiction__path__startswith=request.user.organisation.path).defer("file_encrypted"))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


@router.get("/screening", response=list[RunOut], summary="资格筛查任务（本辖区，分页，可按状态和政策筛选）")
@paginate(BoundedLimitOffset)
@requires("registry.screen")
def list_screenings(request, status: str = "", policy: str = ""):
    qs = ScreeningRun.objects.select_related("policy", "scope").defer("policy__document").filter(
        scope__path__startswith=request.user.organisation.path)
    if status:
        qs = qs.filter(status=status)
    if policy:
        qs = qs.filter(policy__code=policy)
    return qs.order_by("-id")
