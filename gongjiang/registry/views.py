"""Registry pages: people, imports, screening. Thin: services and screening do the work."""
import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gongjiang.accounts.permissions import check, requires
from gongjiang.accounts.scope import visible_organisations
from gongjiang.core.excel import XLSX_TYPE, xlsx_response
from gongjiang.core.vocab import JURISDICTION_KINDS, SkillLevel, Verification

from . import screening, services
from .imports import KIND_LABELS, SPECS, template_workbook
from .models import ImportBatch, Invitation, Person, ScreeningResult, ScreeningRun

PAGE_SIZE = 50


def _query_without_page(request):
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


# ---- people ----

class PersonFilterForm(forms.Form):
    q = forms.CharField(label="姓名", required=False)
    id_number = forms.CharField(label="身份证号码", required=False)
    jurisdiction = forms.ModelChoiceField(label="所属辖区", required=False, queryset=None, empty_label="全部")
    min_level = forms.TypedChoiceField(label="证书等级不低于", required=False, coerce=int, empty_value=None,
                                       choices=[("", "不限")] + [(v, label) for v, label in SkillLevel.choices])
    verification = forms.ChoiceField(label="核验状态", required=False, choices=[("", "不限")] + Verification.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = visible_organisations(user).filter(kind__in=list(JURISDICTION_KINDS))

    def apply(self, qs):
        if not self.is_valid():
            return qs
        d = self.cleaned_data
        if d["q"]:
            qs = qs.filter(name__contains=d["q"].strip())
        if d["id_number"]:
            from .crypto import lookup_hash

            qs = qs.filter(id_number_hash=lookup_hash(d["id_number"]))
        if d["jurisdiction"]:
            qs = qs.filter(jurisdiction__path__startswith=d["jurisdiction"].path)
        if d["min_level"] is not None:
            qs = qs.filter(certificates__level__gte=d["min_level"]).distinct()
        if d["verification"]:
            qs = qs.filter(verification=d["verification"])
        return qs


def _people(request):
    form = PersonFilterForm(request.GET or None, user=request.user)
    qs = form.apply(services.scoped_people(request.user)).select_related("jurisdiction")
    qs = qs.annotate(top_level=Max("certificates__level")).order_by("pk")
    return form, qs


@requires("registry.view")
def person_list(request):
    form, qs = _people(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    levels = dict(SkillLevel.choices)
    for p in page:
        p.top_level_label = levels.get(p.top_level, "")
    return render(request, "registry/person_list.html", {"form": form, "page": page,
                                                         "query": _query_without_page(request)})


@requires("registry.view")
def person_export(request):
    _, qs = _people(request)
    levels = dict(SkillLevel.choices)
    rows = ([p.name, p.id_number_masked, p.get_gender_display(), p.birth_date, p.jurisdiction.name,
             levels.get(p.top_level, ""), p.get_source_display(), p.get_verification_display()]
            for p in qs[:100_000].iterator())
    return xlsx_response("人才库", ["姓名", "身份证号码（脱敏）", "性别", "出生日期", "所属辖区", "最高证书等级", "来源",
                                  "核验状态"], rows)


def _scoped_person(request, pk):
    person = services.scoped_people(request.user).filter(pk=pk).first()
    if person is None:
        raise Http404("person out of scope")
    return person


FACT_SECTIONS = [
    ("employments", "工作经历", ["employer", "jurisdiction", "post", "frontline", "start", "end"]),
    ("insurance_periods", "社会保险缴费", ["jurisdiction", "employer", "first_month", "last_month"]),
    ("certificates", "职业资格/技能等级证书", ["occupation", "level", "kind", "number", "issuer", "issued_on"]),
    ("competition_results", "竞赛成绩", ["name", "occupation", "level", "klass", "rank", "held_on"]),
    ("titles", "称号与奖励", ["code", "name", "level", "awarded_on", "expires_on"]),
    ("programmes", "人才工程/人才目录", ["code", "name", "level", "catalogue_class", "joined_on", "ends_on"]),
    ("apprenticeships", "带徒记录", ["apprentice_name", "agreement_date", "apprentice_certificate_level",
                                     "apprentice_certificate_date", "apprentice_is_backbone"]),
    ("innovations", "创新成果/专利/标准", ["kind", "title", "number", "level", "grade", "dated"]),
    ("studios", "技能大师工作室", ["kind", "name", "level", "established_on", "is_leader"]),
    ("credit_records", "信用与纪律记录", ["kind", "start", "end", "description"]),
]


def _cell(obj, field):
    f = obj._meta.get_field(field)
    value = getattr(obj, field)
    if f.choices and value is not None:
        return getattr(obj, f"get_{field}_display")()
    if value is None:
        return "—" if field not in ("end", "expires_on", "ends_on") else "至今"
    if isinstance(value, bool):
        return "是" if value else "否"
    if field in ("first_month", "last_month"):
        return f"{value:%Y-%m}"
    return value


def person_sections(person):
    sections = []
    for rel, title, fields in FACT_SECTIONS:
        model = getattr(Person, rel).rel.related_model
        rows = [{"cells": [_cell(obj, f) for f in fields], "obj": obj} for obj in getattr(person, rel).all()]
        sections.append({"title": title, "headers": [model._meta.get_field(f).verbose_name for f in fields],
                         "rows": rows})
    return sections


def _person_page(request, person, *, full=None):
    can_full = services.can_see_full_numbers(request.user, person)
    return render(request, "registry/person_detail.html", {
        "person": person, "sections": person_sections(person), "can_full": can_full, "full": full,
        "invitations": person.invitations.select_related("run__policy").filter(dismissed=False),
        "own": person.account_id == request.user.pk})


@requires("registry.view")
def person_detail(request, pk):
    return _person_page(request, _scoped_person(request, pk))


@login_required
def my_record(request):
    person = Person.objects.filter(account=request.user).first()
    if person is None:
        raise Http404("no person linked")
    return _person_page(request, person)


@require_POST
@login_required
def person_reveal(request, pk):
    """The full ID and phone numbers: owner or registry.full_id in scope; every view is audited."""
    person = Person.objects.filter(pk=pk).first()
    if person is None or not services.can_see_full_numbers(request.user, person):
        raise Http404("person out of scope")
    full = services.reveal_numbers(person, actor=request.user, reason="页面查看完整号码")
    return _person_page(request, person, full=full)


# ---- imports ----

class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="数据类型", choices=list(KIND_LABELS.items()))
    file = forms.FileField(label="文件（.xlsx 或 .csv）")


@requires("registry.import")
def import_index(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = services.start_import(kind=form.cleaned_data["kind"], data=upload.read(), file_name=upload.name,
                                      actor=request.user)
        return redirect("registry:import_detail", batch.pk)
    batches = ImportBatch.objects.filter(jurisdiction__path__startswith=request.user.organisation.path)[:50]
    return render(request, "registry/import_index.html", {"form": form, "batches": batches,
                                                          "kinds": KIND_LABELS.items()})


@requires("registry.import")
def import_template(request, kind):
    if kind not in SPECS:
        raise Http404("unknown kind")
    response = HttpResponse(template_workbook(kind), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename=\"template-{kind}.xlsx\""
    return response


def _scoped_batch(request, pk):
    batch = get_object_or_404(ImportBatch, pk=pk)
    if not request.user.organisation or not request.user.organisation.contains(batch.jurisdiction):
        raise Http404("batch out of scope")
    return batch


@requires("registry.import")
def import_detail(request, pk):
    batch = _scoped_batch(request, pk)
    template = "registry/_import_status.html" if request.htmx else "registry/import_detail.html"
    return render(request, template, {"batch": batch})


@require_POST
@requires("registry.import")
def import_commit(request, pk):
    batch = services.commit_import(_scoped_batch(request, pk), actor=request.user)
    messages.success(request, f"导入完成：新增{batch.rows_created}条，更新{batch.rows_updated}条，无变化{batch.rows_unchanged}条。")
    return redirect("registry:import_detail", batch.pk)


@require_POST
@requires("registry.import")
def import_discard(request, pk):
    services.discard_import(_scoped_batch(request, pk), actor=request.user)
    messages.success(request, "已放弃该批次。")
    return redirect("registry:import_index")


# ---- screening ----

class ScreeningForm(forms.Form):
    policy = forms.ModelChoiceField(label="政策", queryset=None, empty_label=None)
    reference_date = forms.DateField(label="基准日期", widget=forms.DateInput(attrs={"type": "date"}),
                                     help_text="例如遴选年度1月1日（惠阳 第十三条）")

    def __init__(self, *args, **kwargs):
        from gongjiang.policy.models import Policy

        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = Policy.objects.all()


def _scoped_run(request, pk):
    run = get_object_or_404(ScreeningRun.objects.select_related("policy", "scope"), pk=pk)
    if not request.user.organisation or not request.user.organisation.contains(run.scope):
        raise Http404("run out of scope")
    return run


@requires("registry.screen")
def screening_index(request):
    form = ScreeningForm(request.POST or None, initial={"reference_date": dt.date(dt.date.today().year, 1, 1)})
    if request.method == "POST" and form.is_valid():
        run = screening.start_screening(policy=form.cleaned_data["policy"],
                                        reference_date=form.cleaned_data["reference_date"], actor=request.user)
        return redirect("registry:screening_detail", run.pk)
    runs = ScreeningRun.objects.filter(scope__path__startswith=request.user.organisation.path) \
        .select_related("policy", "scope", "created_by")[:50]
    return render(request, "registry/screening_index.html", {"form": form, "runs": runs})


def _results(request, run):
    g = request.GET
    return screening.results_query(run, outcome=g.get("outcome"), failing=g.get("failing"),
                                   reviewing=g.get("reviewing"))


@requires("registry.screen")
def screening_detail(request, pk):
    run = _scoped_run(request, pk)
    if request.htmx and request.GET.get("progress"):
        return render(request, "registry/_screening_progress.html", {"run": run})
    page = Paginator(_results(request, run), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"r": r, "failing": [run.clause_labels.get(c, c) for c in screening.clauses_of_mask(run, r.fail_mask)],
             "review": [run.clause_labels.get(c, c) for c in screening.clauses_of_mask(run, r.review_mask)]}
            for r in page]
    return render(request, "registry/screening_detail.html", {
        "run": run, "page": page, "rows": rows, "query": _query_without_page(request),
        "clauses": [(c, run.clause_labels.get(c, c)) for c in run.clause_ids], "outcomes": ScreeningResult.Outcome.choices,
        "invited": run.invitations.count(), "sel": request.GET})


@requires("registry.screen")
def screening_export(request, pk):
    run = _scoped_run(request, pk)
    labels = dict(ScreeningResult.Outcome.choices)
    rows = ([r.person.name, r.person.id_number_masked, r.person.jurisdiction.name, labels[r.outcome],
             "；".join(run.clause_labels.get(c, c) for c in screening.clauses_of_mask(run, r.fail_mask)),
             "；".join(run.clause_labels.get(c, c) for c in screening.clauses_of_mask(run, r.review_mask))]
            for r in _results(request, run)[:200_000].iterator())
    return xlsx_response(f"资格筛查{run.pk}", ["姓名", "身份证号码（脱敏）", "所属辖区", "筛查结论", "不符合的条款",
                                              "需人工核实的条款"], rows)


@require_POST
@requires("registry.screen")
def screening_cancel(request, pk):
    screening.cancel_screening(_scoped_run(request, pk), actor=request.user)
    messages.success(request, "已请求取消，当前批次完成后停止。")
    return redirect("registry:screening_detail", pk)


@require_POST
@requires("registry.screen")
def screening_invite(request, pk):
    count = screening.invite_eligible(_scoped_run(request, pk), actor=request.user)
    messages.success(request, f"已向{count}名符合条件的人员发送申报邀请。")
    return redirect("registry:screening_detail", pk)


@requires("registry.screen")
def screening_person(request, pk, person_pk):
    """One person's clause-by-clause explanation: the same engine, a batch of one."""
    from gongjiang.policy.services import get_policy

    run = _scoped_run(request, pk)
    person = _scoped_person(request, person_pk)
    explanation, _ = screening.explain_person(person, get_policy(run.policy.code), run.reference_date)
    return render(request, "registry/screening_person.html", {"run": run, "person": person,
                                                              **_explanation_context(explanation)})


@login_required
def invitation_detail(request, pk):
    """An applicant's invitation: why the platform thinks they qualify."""
    from gongjiang.policy.services import get_policy

    inv = get_object_or_404(Invitation.objects.select_related("run__policy", "person"), pk=pk)
    if inv.person.account_id != request.user.pk and not check(request.user, "registry.screen"):
        raise Http404("not your invitation")
    explanation, _ = screening.explain_person(inv.person, get_policy(inv.run.policy.code), inv.run.reference_date)
    return render(request, "registry/invitation.html", {"inv": inv, **_explanation_context(explanation)})


OVERALL_LABELS = {"pass": "符合条件", "fail": "不符合条件", "needs_review": "需人工核实"}


def _explanation_context(explanation):
    return {"explanation": explanation, "rows": explanation.clauses + explanation.priority,
            "overall_label": OVERALL_LABELS[explanation.overall],
            "automatic_label": OVERALL_LABELS[explanation.automatic]}
