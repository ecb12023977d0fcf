from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from gongjiang.accounts.permissions import check, requires
from gongjiang.accounts.scope import in_scope, visible_organisations
from gongjiang.core.caching import public_page
from gongjiang.core.errors import DomainError
from gongjiang.core.params import id_or_none

from . import cycle, policy_link, services
from .forms import ExtendForm, PublicCallFilter, RoundForm, SelfCheckForm, UnitForm
from .listing import Column, Listing
from .models import DeadlineKind, RecommendingUnit, Round, RoundStatus


def pdf_response(data: bytes, filename: str, *, inline=True) -> HttpResponse:
    from urllib.parse import quote

    resp = HttpResponse(data, content_type="application/pdf")
    disp = "inline" if inline else "attachment"
    resp["Content-Disposition"] = f"{disp}; filename=\"document.pdf\"; filename*=UTF-8''{quote(filename)}"
    return resp


def xlsx_file_response(data: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    from gongjiang.core.excel import XLSX_TYPE

    resp = HttpResponse(data, content_type=XLSX_TYPE)
    resp["Content-Disposition"] = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return resp


def _round_for(user, pk) -> Round:
    rnd = services.visible_rounds(user).filter(pk=pk).first()
    if rnd is None:
        raise Http404("round not visible")
    return rnd


def _manages(user, rnd) -> bool:
    return bool(check(user, "round.manage")) and in_scope(user, rnd.organiser)


ROUND_COLUMNS = [
    Column("年度", "year"), Column("批次名称", "title"), Column("政策", "policy__title"),
    Column("组织实施单位", "organiser__name"), Column("申报截止", "application_deadline"),
    Column("遴选名额", "quota"), Column("申报数", "n_apps", lambda r: r.n_apps),
    Column("状态", "status", lambda r: r.get_status_display()),
]


@requires("round.view")
def round_list(request):
    qs = services.visible_rounds(request.user).annotate(
        n_apps=Count("applications", filter=~Q(applications__status="draft"), distinct=True))
    table = Listing(request, qs, columns=ROUND_COLUMNS, filters={"status": "status", "year": "year"},
                    search=["title", "policy__title"], default_sort="-application_deadline")
    if table.wants_export:
        return table.export("遴选批次")
    return render(request, "rounds/list.html", {"table": table, "statuses": RoundStatus.choices,
                                                "can_create": check(request.user, "round.manage")})


@requires("round.manage")
def round_create(request):
    from gongjiang.policy.models import Policy

    form = RoundForm(request.POST or None, policies=Policy.objects.all())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            rnd = services.open_round(
                policy=d["policy"], organiser=request.user.organisation, year=d["year"], title=d["title"],
                code=d["code"], opens_on=d["opens_on"], application_deadline=d["application_deadline"],
                recommendation_deadline=d["recommendation_deadline"], review_deadline=d["review_deadline"],
                reference_date=d["reference_date"], quota=d["quota"], honour_code=d["honour_code"] or None, call_text=d["call_text"],
                tiers=policy_link.tier_codes(d["policy"]) if d["all_tiers"] else None,
                tier_quotas=policy_link.parse_tier_quotas(d["policy"], d["tier_quotas"]) if d["all_tiers"] else None,
                contact=d["contact"], actor=request.user)
            messages.success(request, "批次已创建，请核对推荐单位和名额后发布。")
            return redirect("rounds:detail", pk=rnd.pk)
        except DomainError as e:
            form.add_error(None, e.message)
    return render(request, "rounds/create.html", {"form": form})


@requires("round.view")
def round_detail(request, pk):
    rnd = _round_for(request.user, pk)
    manages = _manages(request.user, rnd)
    rules = policy_link.unit_rules(rnd.policy)
    orgs = visible_organisations(request.user).filter(is_active=True)
    unit_form = UnitForm(organisations=orgs, rules=rules, prefix="u")
    extend_form = ExtendForm(prefix="x")
    if request.method == "POST" and manages:
        action = request.POST.get("action")
        try:
            if action == "publish":
                services.publish(rnd, actor=request.user)
                messages.success(request, "批次已发布，公开申报通知已上线。")
                return redirect("rounds:detail", pk=rnd.pk)
            if action == "close":
                services.close(rnd, actor=request.user, reason=request.POST.get("reason", ""))
                return redirect("rounds:detail", pk=rnd.pk)
            if action == "unit":
                unit_form = UnitForm(request.POST, organisations=orgs, rules=rules, prefix="u")
                if unit_form.is_valid():
                    d = unit_form.cleaned_data
                    services.set_unit(rnd, organisation=d["organisation"], kind=d["kind"], quota=d["quota"],
                                      actor=request.user, reason=d["reason"])
                    messages.success(request, "推荐单位及名额已保存。")
                    return redirect("rounds:detail", pk=rnd.pk)
            if action == "extend":
                extend_form = ExtendForm(request.POST, prefix="x")
                if extend_form.is_valid():
                    d = extend_form.cleaned_data
                    services.extend_deadline(rnd, kind=d["kind"], new_date=d["new_date"], reason=d["reason"],
                                             actor=request.user)
                    messages.success(request, "截止日期已延长，操作已记录。")
                    return redirect("rounds:detail", pk=rnd.pk)
        except DomainError as e:
            messages.error(request, e.message)
    from gongjiang.applications.models import Application
    from gongjiang.applications.states import UNIT_CANDIDATES, State

    units = rnd.units.select_related("organisation").annotate(
        used=Count("applications", filter=Q(applications__status__in=UNIT_CANDIDATES)),
        waiting=Count("applications", filter=Q(applications__status=State.EMPLOYER_VERIFIED)))
    counts = dict(Application.objects.filter(round=rnd).values_list("status").annotate(n=Count("pk")))
    from gongjiang.applications.services import units_for
    from gongjiang.applications.states import staff_label

    return render(request, "rounds/detail.html", {
        "round": rnd, "manages": manages, "units": units, "unit_form": unit_form, "extend_form": extend_form,
        "extensions": rnd.extensions.select_related("actor"), "unit_rules": rules,
        "status_counts": [(staff_label(k), v) for k, v in counts.items()],
        "workable_units": set(units_for(request.user).filter(round=rnd).values_list("pk", flat=True)),
        "cycle_flags": cycle.round_flags(rnd),
    })


@requires("round.view")
def round_overview(request, pk):
    """基本情况一览表 of the whole round (or one unit with ?unit=)."""
    from gongjiang.applications.exports import overview_xlsx
    from gongjiang.applications.services import visible_applications

    rnd = _round_for(request.user, pk)
    apps = visible_applications(request.user).filter(round=rnd).exclude(status__in=["draft", "withdrawn"])
    title = rnd.title
    if request.GET.get("unit"):
        unit_id = id_or_none(request.GET["unit"])
        if unit_id is None:
            raise DomainError("推荐单位参数不正确", log="overview with a non-numeric unit")
        unit = get_object_or_404(RecommendingUnit, pk=unit_id, round=rnd)
        apps = apps.filter(unit=unit)
        title = f"{rnd.title}（{unit.organisation}）"
    apps = apps.order_by("unit__organisation__name", "unit_rank", "serial")
    return xlsx_file_response(overview_xlsx(title, apps), f"{title}申报人员基本情况一览表.xlsx")


# ------------------------------------------------------------------ public pages

@public_page
def public_calls(request):
    from django.utils import timezone

    from gongjiang.core.listing import paginate

    form = PublicCallFilter(request.GET or None)
    rounds = form.filter(services.public_rounds(), timezone.localdate()).order_by("-opens_on", "-pk")
    page, query = paginate(request, rounds, 20)
    return render(request, "rounds/public_calls.html", {"page": page, "query": query, "form": form})


def _public_round(code) -> Round:
    rnd = services.public_rounds().filter(code=code).first()
    if rnd is None:
        raise Http404("no such public round")
    return rnd


@public_page
def public_call(request, code):
    rnd = _public_round(code)
    return render(request, "rounds/public_call.html", {
        "round": rnd, "tiers": policy_link.tier_conditions(rnd),
        "conditions": [] if rnd.tiers else policy_link.conditions(rnd),
        "deadlines": [(DeadlineKind(k).label, rnd.deadline(k)) for k in DeadlineKind if rnd.deadline(k)],
        "unit_rules": policy_link.unit_rules(rnd.policy),
    })


def blank_form(request, code, which):
    """Downloadable blank forms: the 申报表 and the 承诺书 of a round."""
    from gongjiang.applications.exports import application_pdf, commitment_pdf
    from gongjiang.applications.models import Application

    rnd = _public_round(code)
    if which == "application":
        blank = Application(round=rnd, serial="（空白表）", route="employer", name="", facts={})
        return pdf_response(application_pdf(blank), f"{rnd.title}申报表（空白）.pdf", inline=False)
    if which == "commitment":
        return pdf_response(commitment_pdf(rnd), f"{rnd.title}承诺书.pdf", inline=False)
    raise Http404("unknown form")


def self_check(request, code):
    """Eligibility self-check: the worker's facts are evaluated and shown, never stored."""
    rnd = _public_round(code)
    form = SelfCheckForm(request.POST or None, tiers=policy_link.tier_choices(rnd),
                         initial={"tier": request.GET.get("tier", "")})
    result = None
    if request.method == "POST" and form.is_valid():
        tier = form.cleaned_data.get("tier") or None
        result, _status = policy_link.evaluate_facts(rnd, form.facts(), tier=tier)
        if tier:
            result["tier_title"] = rnd.tier_title(tier)
    return render(request, "rounds/self_check.html", {"round": rnd, "form": form, "result": result})
