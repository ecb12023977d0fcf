"""Registry pages: people, imports, screening. Thin: services and screening do the work."""
import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gongjiang.accounts.permissions import check, requires
from gongjiang.accounts.scope import visible_organisations
from gongjiang.core.errors import DomainError
from gongjiang.core.excel import XLSX_TYPE, xlsx_response
from gongjiang.core.vocab import JURISDICTION_KINDS, SkillLevel, Verification

from . import screening, services
from .attributes import label as attribute_label
from .forms import DESIGNATION, FACT_KINDS, KIND_OF_RELATED, VerifyForm, WithdrawForm
from .imports import KIND_LABELS, MAX_FILE_BYTES, SPECS, template_workbook
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
    ("titles", "称号与奖励", ["code", "name", "raw_name", "level", "awarded_on", "expires_on"]),
    ("programmes", "人才工程/人才目录", ["code", "name", "raw_name", "level", "catalogue_class", "joined_on",
                                      "ends_on"]),
    ("apprenticeships", "带徒记录", ["apprentice_name", "agreement_date", "apprentice_certificate_level",
                                     "apprentice_certificate_date", "apprentice_is_backbone"]),
    ("innovations", "创新成果/专利/标准", ["kind", "title", "number", "level", "grade", "dated"]),
    ("studios", "技能大师工作室", ["kind", "name", "level", "established_on", "is_leader"]),
    ("credit_records", "信用与纪律记录", ["kind", "start", "end", "description"]),
    ("attributes", "人员属性", ["attribute", "holds", "value", "place", "level", "start", "end"]),
]


def _cell(obj, field):
    f = obj._meta.get_field(field)
    value = getattr(obj, field)
    if field == "attribute":
        return attribute_label(value)
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
        kind = KIND_OF_RELATED.get(rel)
        rows = [{"cells": [_cell(obj, f) for f in fields], "obj": obj} for obj in getattr(person, rel).all()]
        sections.append({"title": title, "headers": [model._meta.get_field(f).verbose_name for f in fields],
                         "rows": rows, "kind": kind.slug if kind else ""})
    return sections


def _person_page(request, person, *, full=None, reveal_error=""):
    can_full = services.can_see_full_numbers(request.user, person)
    own = person.account_id == request.user.pk
    return render(request, "registry/person_detail.html", {
        "person": person, "sections": person_sections(person), "can_full": can_full, "full": full,
        "reveal_error": reveal_error, "reason_max": services.REVEAL_REASON_MAX,
        "invitations": person.invitations.select_related("run__policy").filter(dismissed=False),
        "own": own, "can_edit": not own and services.can_edit_person(request.user, person),
        "can_verify": not own and bool(check(request.user, "registry.verify"))})


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
    try:
        full = services.reveal_numbers(person, actor=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return _person_page(request, person, reveal_error=exc.message)
    return _person_page(request, person, full=full)


# ---- editing and verifying facts ----

def _editable(request, pk, kind, fact_pk=None):
    """(person, fact kind, fact or None) within the user's edit scope; 404 otherwise."""
    person = services.editable_people(request.user).filter(pk=pk).first()
    fact_kind = FACT_KINDS.get(kind)
    if person is None or fact_kind is None:
        raise Http404("person out of edit scope")
    fact = None
    if fact_pk is not None:
        fact = getattr(person, fact_kind.related).filter(pk=fact_pk).first()
        if fact is None:
            raise Http404("fact not found")
    return person, fact_kind, fact


def _person_back(person):
    return {"person": person, "back_url": reverse("registry:person_detail", args=[person.pk]),
            "back_label": f"{person.name}（{person.id_number_masked}）"}


def _fact_form_page(request, holder, fact_kind, fact, back):
    form = fact_kind.form(request.POST or None, instance=fact, person=holder, actor=request.user)
    if request.method == "POST" and form.is_valid():
        services.save_fact(form, actor=request.user)
        messages.success(request, f"已保存{fact_kind.label}，待人社部门核验。")
        return redirect(back["back_url"])
    return render(request, "registry/fact_form.html", {
        **back, "kind": fact_kind, "form": form, "fact": fact,
        "heading": f"{'修改' if fact else '添加'}{fact_kind.label}"}, status=400 if form.errors else 200)


def _fact_withdraw_page(request, fact_kind, fact, back):
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.withdraw_fact(fact, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, f"已撤回该{fact_kind.label}。")
        return redirect(back["back_url"])
    return render(request, "registry/fact_form.html", {
        **back, "kind": fact_kind, "form": form, "fact": fact, "summary": _summary(fact),
        "heading": f"撤回{fact_kind.label}", "submit": "确认撤回"}, status=400 if form.errors else 200)


def _fact_verify_page(request, fact_kind, fact, back):
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fact = services.verify_fact(fact, actor=request.user, decision=form.cleaned_data["decision"],
                                    reason=form.cleaned_data["reason"])
        messages.success(request, f"{fact_kind.label}：{fact.get_verification_display()}。")
        return redirect(back["back_url"])
    return render(request, "registry/fact_form.html", {
        **back, "kind": fact_kind, "form": form, "fact": fact, "summary": _summary(fact),
        "heading": f"核验{fact_kind.label}", "submit": "提交核验结论"}, status=400 if form.errors else 200)


def _summary(fact):
    if hasattr(fact, "attribute"):
        return attribute_label(fact.attribute) + (f"：{fact.value}" if fact.value else "")
    return str(fact)


@requires("registry.edit")
def fact_add(request, pk, kind):
    person, fact_kind, _ = _editable(request, pk, kind)
    return _fact_form_page(request, person, fact_kind, None, _person_back(person))


@requires("registry.edit")
def fact_edit(request, pk, kind, fact_pk):
    person, fact_kind, fact = _editable(request, pk, kind, fact_pk)
    return _fact_form_page(request, person, fact_kind, fact, _person_back(person))


@requires("registry.edit")
def fact_withdraw(request, pk, kind, fact_pk):
    person, fact_kind, fact = _editable(request, pk, kind, fact_pk)
    return _fact_withdraw_page(request, fact_kind, fact, _person_back(person))


@requires("registry.verify")
def fact_verify(request, pk, kind, fact_pk):
    person, fact_kind, fact = _editable(request, pk, kind, fact_pk)
    return _fact_verify_page(request, fact_kind, fact, _person_back(person))


# ---- employer designations (专精特新, 高新技术企业…) ----

def _employer(request, org_pk, fact_pk=None):
    """(employer, designation or None) within the user's edit scope; 404 otherwise."""
    employer = services.editable_employers(request.user).filter(pk=org_pk).first()
    if employer is None:
        raise Http404("employer out of edit scope")
    fact = None
    if fact_pk is not None:
        fact = employer.attributes.filter(pk=fact_pk).first()
        if fact is None:
            raise Http404("designation not found")
    return employer, fact


def _employer_back(employer):
    return {"back_url": reverse("registry:designations", args=[employer.pk]), "back_label": employer.name}


@requires("registry.edit")
def employer_list(request):
    """Employers in scope with how many designations each holds, searchable by name."""
    from django.db.models import Count

    q = (request.GET.get("q") or "").strip()
    employers = services.editable_employers(request.user).annotate(designations=Count("attributes"))
    if q:
        employers = employers.filter(name__contains=q)
    page = Paginator(employers.order_by("name"), 50).get_page(request.GET.get("page"))
    return render(request, "registry/employer_list.html", {"page": page, "q": q})


@requires("registry.edit")
def designations(request, org_pk):
    employer, _ = _employer(request, org_pk)
    rows = [{"obj": a, "label": attribute_label(a.attribute)} for a in employer.attributes.order_by("attribute", "id")]
    return render(request, "registry/designations.html", {
        "employer": employer, "rows": rows, "can_verify": bool(check(request.user, "registry.verify"))})


@requires("registry.edit")
def designation_add(request, org_pk):
    employer, _ = _employer(request, org_pk)
    return _fact_form_page(request, employer, DESIGNATION, None, _employer_back(employer))


@requires("registry.edit")
def designation_edit(request, org_pk, fact_pk):
    employer, fact = _employer(request, org_pk, fact_pk)
    return _fact_form_page(request, employer, DESIGNATION, fact, _employer_back(employer))


@requires("registry.edit")
def designation_withdraw(request, org_pk, fact_pk):
    employer, fact = _employer(request, org_pk, fact_pk)
    return _fact_withdraw_page(request, DESIGNATION, fact, _employer_back(employer))


@requires("registry.verify")
def designation_verify(request, org_pk, fact_pk):
    employer, fact = _employer(request, org_pk, fact_pk)
    return _fact_verify_page(request, DESIGNATION, fact, _employer_back(employer))


# ---- imports ----

class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="数据类型", choices=list(KIND_LABELS.items()))
    file = forms.FileField(label="文件（.xlsx 或 .csv）")


@requires("registry.import")
def import_index(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:  # refused before the file is read into memory
            raise DomainError(f"文件过大（上限{MAX_FILE_BYTES // (1024 * 1024)}MB），请拆分后导入",
                              log=f"import upload of {upload.size} bytes")
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
                                     help_text="按政策规定的条件认定日，例如遴选年度1月1日")

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
    shards = list(run.shards.select_related("jurisdiction", "run__scope").order_by("jurisdiction__path"))
    if request.htmx and request.GET.get("progress"):
        return render(request, "registry/_screening_progress.html", {"run": run, "shards": shards})
    page = Paginator(_results(request, run), PAGE_SIZE).get_page(request.GET.get("page"))
    invited_ids = set(run.invitations.filter(person_id__in=[r.person_id for r in page])
                      .values_list("person_id", flat=True))
    rows = [{"r": r, "invited": r.person_id in invited_ids, "failing": [run.clause_labels.get(c, c) for c in screening.clauses_of_mask(run, r.fail_mask)],
             "review": [run.clause_labels.get(c, c) for c in screening.clauses_of_mask(run, r.review_mask)]}
            for r in page]
    return render(request, "registry/screening_detail.html", {
        "run": run, "shards": shards, "page": page, "rows": rows, "query": _query_without_page(request),
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


@require_POST
@requires("registry.screen")
def screening_invite_person(request, pk, person_pk):
    run = _scoped_run(request, pk)
    person = _scoped_person(request, person_pk)
    count = screening.invite_eligible(run, actor=request.user, person_pk=person.pk)
    messages.success(request, f"已邀请{person.name}申报。" if count else f"{person.name}已被邀请过。")
    return redirect(f"{reverse('registry:screening_detail', args=[pk])}?{_query_without_page(request)}")


def _own_or_screened_invitation(request, pk):
    inv = get_object_or_404(Invitation.objects.select_related("run__policy", "run__scope", "person"), pk=pk)
    screener = check(request.user, "registry.screen") and request.user.organisation \
        and request.user.organisation.contains(inv.run.scope)
    if inv.person.account_id != request.user.pk and not screener:
        raise Http404("not your invitation")
    return inv


@login_required
def invitation_detail(request, pk):
    """An applicant's invitation: why the platform thinks they qualify."""
    from gongjiang.policy.services import get_policy

    inv = _own_or_screened_invitation(request, pk)
    explanation, _ = screening.explain_person(inv.person, get_policy(inv.run.policy.code), inv.run.reference_date)
    return render(request, "registry/invitation.html", {"inv": inv, **_explanation_context(explanation)})


@require_POST
@login_required
def invitation_dismiss(request, pk):
    """The applicant dismisses their invitation (audited); it leaves the home page and /registry/me/."""
    inv = get_object_or_404(Invitation.objects.select_related("person"), pk=pk, person__account=request.user)
    services.dismiss_invitation(inv, actor=request.user)
    messages.success(request, "已忽略该申报邀请。")
    return redirect("registry:my_record")


OVERALL_LABELS = {"pass": "符合条件", "fail": "不符合条件", "needs_review": "需人工核实"}


def _explanation_context(explanation):
    return {"explanation": explanation, "rows": explanation.clauses + explanation.priority,
            "overall_label": OVERALL_LABELS[explanation.overall],
            "automatic_label": OVERALL_LABELS[explanation.automatic]}
