"""Staff pages of honours: the holder register, a holder's page, certificates, exits and revocations.
Thin: the rules are in `services`."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongjiang.accounts.permissions import requires
from gongjiang.accounts.scope import visible_organisations
from gongjiang.audit.models import AuditEntry
from gongjiang.core.caching import personal_change
from gongjiang.core.errors import DomainError
from gongjiang.core.excel import xlsx_response
from gongjiang.core.listing import paginate

from gongjiang.policy.render import yuan

from . import services
from .forms import DecisionForm, ReasonForm, RegisterFilter
from .models import DecisionKind, DutyTask, HolderMessage, Honour, RenewalReview

ACTIONS = {"honour.award": "授予称号", "honour.exit": "登记退出", "honour.revocation": "撤销称号",
           "honour.certificate_print": "打印证书", "honour.certificate_reissue": "补发证书",
           "honour.renewal_file": "提交复核材料", "honour.renewal_decide": "复核认定结论",
           "honour.renewal_failed": "复核未通过，停止待遇", "honour.duty_done": "办结期内职责"}
SCHEDULES = {"monthly": "按月发放", "annual": "按年发放", "one_time": "一次性"}
EXPORT_HEADERS = ["证书编号", "姓名", "项目", "称号", "工作单位", "职业（工种）", "授予日期", "期限开始", "期限届满",
                  "状态", "称号状态", "证书", "待遇停止日期", "管理单位"]


def _row(h):
    return [h.certificate_number or "", h.name, h.policy.title, h.title, str(h.employer or ""), h.occupation,
            h.awarded_on, h.term_start, h.term_end or "", h.get_status_display(), h.get_title_status_display(),
            h.get_certificate_status_display(), h.benefits_stop_on or "", str(h.jurisdiction)]


def _filter(request, qs):
    programmes = sorted({(f"{p}:{c}", f"{pt}·{t}") for p, c, pt, t in
                         qs.values_list("policy_id", "honour_code", "policy__title", "title")}, key=lambda x: x[1])
    jurisdictions = [(o.pk, o.name) for o in visible_organisations(request.user).filter(
        pk__in=qs.values("jurisdiction_id")).order_by("path")]
    form = RegisterFilter(request.GET or None, programmes=programmes, jurisdictions=jurisdictions)
    return form, (form.apply(qs) if request.GET else qs)


@requires("honour.view")
def register(request):
    form, qs = _filter(request, services.visible_honours(request.user))
    qs = qs.order_by("-awarded_on", "policy_id", "series_number", "pk")
    if request.GET.get("export") == "xlsx":
        return xlsx_response("称号获得者名册", EXPORT_HEADERS, (_row(h) for h in qs[:20000]))
    if request.GET.get("export") == "benefits":
        return _benefits_export(qs)
    page, query = paginate(request, qs, 25)
    return render(request, "honours/register.html", {"form": form, "page": page, "query": query,
                                                     "today": timezone.localdate()})


def _benefits_export(qs):
    """Non-cash benefits for a partner office (赣州 第九条 市人才目录, 惠阳 第十二条（二） 归善人才卡银卡):
    one row per active holder and benefit."""
    rows, today = [], timezone.localdate()
    for h in qs.filter(status="active"):
        if not services.benefits_payable(h, today):
            continue
        for b in services.non_cash_benefits(h):
            rows.append([h.name, h.person.id_number_masked, str(h.employer or ""), h.title, b.name, b.article,
                         h.term_start, h.term_end or "", h.certificate_number or ""])
    return xlsx_response("非现金待遇名单", ["姓名", "身份证号码（脱敏）", "工作单位", "称号", "待遇", "依据", "期限开始",
                                           "期限届满", "证书编号"], rows)


def _honour(request, pk):
    honour = services.visible_honours(request.user).select_related("person", "approval", "application").filter(pk=pk).first()
    if honour is None:
        raise Http404("honour not visible")
    return honour


@requires("honour.view")
def detail(request, pk):
    honour = _honour(request, pk)
    clawback = services.clawback_of(honour)
    history = [(e, ACTIONS.get(e.action, "其他操作")) for e in AuditEntry.objects.filter(
        object_type="honours.honour", object_id=str(honour.pk)).order_by("-pk")[:50]]
    return render(request, "honours/detail.html", {
        "honour": honour, "verdict": services.verification(honour), "payable": services.benefits_payable(
            honour, timezone.localdate()), "decisions": honour.decisions.all(), "non_cash": services.non_cash_benefits(honour),
        "cash": [b for b in services.policy_honour(honour).benefits if b.kind == "cash"],
        "clawback": clawback, "clawback_items": [f"{name}：{yuan(amount)}（{SCHEDULES.get(schedule, '')}）"
                                                 for _id, name, amount, schedule in (clawback.cash_benefits if clawback else ())],
        "history": history, "messages_sent": honour.messages.all()[:20],
        "can_decide": services.can_decide(request.user, honour), "verify_url": _verify_url(honour),
        "reissue_form": ReasonForm()})


def _verify_url(honour):
    from .certificates import verification_url

    return verification_url(honour) if honour.certificate_number else ""


def _pdf(data, filename):
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


@requires("honour.decide")
def certificate(request, pk):
    honour = _honour(request, pk)
    if not services.can_decide(request.user, honour):
        raise Http404("out of scope")
    return _pdf(services.print_certificates([honour], actor=request.user, reason="打印证书"), honour.certificate_number)


@requires("honour.decide")
def round_batch(request, round_pk):
    honours = [h for h in services.visible_honours(request.user).filter(round_id=round_pk, certificate_status="valid")
               .order_by("series_number") if services.can_decide(request.user, h)]
    if not honours:
        raise Http404("no certificates in this round")
    return _pdf(services.print_certificates(honours, actor=request.user, reason="批量打印证书"),
                f"certificates-round-{round_pk}")


@requires("honour.decide")
@require_POST
def reissue(request, pk):
    honour = _honour(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        raise DomainError("请填写补发原因（如遗失、损毁）", log="reissue form invalid")
    honour = services.reissue_certificate(honour, actor=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, f"已补发证书（第{honour.certificate_issue}次补发），请打印新证书；此前版本作废。")
    return redirect("honours:detail", pk=honour.pk)


@requires("honour.decide")
def decide(request, pk, kind):
    if kind not in (DecisionKind.EXIT, DecisionKind.REVOCATION):
        raise Http404("unknown decision kind")
    honour = _honour(request, pk)
    allowed = services.can_decide(request.user, honour)
    if not allowed:
        raise Http404("out of scope")
    spec = services.policy_honour(honour)
    outcomes = spec.exits if kind == DecisionKind.EXIT else spec.revocations
    if not outcomes:
        raise DomainError("政策未规定此类情形", log=f"policy has no {kind}")
    form = DecisionForm(request.POST or None, outcomes=outcomes, default_decided_by=outcomes[0].decided_by)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.decide(honour, kind=kind, outcome_id=d["outcome"], effective=d["effective"], actor=request.user,
                            document_no=d["document_no"], decided_by=d["decided_by"], reason=d["reason"])
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, "决定已登记，已告知本人。")
            return redirect("honours:detail", pk=honour.pk)
    return render(request, "honours/decide.html", {
        "honour": honour, "form": form, "outcomes": outcomes, "kind_label": DecisionKind(kind).label,
        "effects": [(o, services.effects_text(o.effects.model_dump())) for o in outcomes]},
        status=400 if form.errors else 200)



@login_required
def mine(request):
    """A holder's own honours and what they were told; opening the page marks the messages read."""
    honours = Honour.objects.select_related("policy").filter(person__account=request.user)
    notes = list(HolderMessage.objects.filter(recipient=request.user).select_related("honour")[:50])
    if HolderMessage.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now()):
        personal_change(request)  # the home page's count of unread messages
    return render(request, "honours/mine.html", {
        "rows": [(h, services.verification(h), _verify_url(h)) for h in honours], "notes": notes})


def _task_or_review_honour(request, honour):
    """The holder, their employer's officers and officers who see the honour may open term pages
    (only the responsible party acts there); others 404."""
    from .term import _holder_or_employer

    if _holder_or_employer(request.user, honour) or services.visible_honours(request.user).filter(pk=honour.pk).exists():
        return honour
    raise Http404("not the holder, employer or officer")


@login_required
def renewal(request, pk):
    from . import term
    from .forms import RenewalFileForm

    review = RenewalReview.objects.select_related("honour__person", "honour__employer", "honour__policy",
                                                  "honour__jurisdiction").filter(pk=pk).first()
    if review is None:
        raise Http404("no such renewal")
    honour = _task_or_review_honour(request, review.honour)
    officer = bool(services.can_decide(request.user, honour))
    spec = services.policy_honour(honour).renewal
    form = RenewalFileForm(request.POST or None, request.FILES or None)
    clauses = review.evaluation.get("clauses") or []
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "decide" and officer:
                attestations = {c["id"]: {"met": request.POST.get(f"met_{c['id']}") == "yes",
                                          "note": request.POST.get(f"note_{c['id']}", "")}
                                for c in term.to_attest(clauses)}
                term.decide_renewal(review, actor=request.user, attestations=attestations,
                                    reason=request.POST.get("reason", ""))
                messages.success(request, "复核认定结论已登记，已告知本人。")
                return redirect("honours:renewal", pk=review.pk)
            if form.is_valid():
                files = [("复核材料", f) for f in request.FILES.getlist("files")]
                term.file_renewal(review, actor=request.user, statement=form.cleaned_data["statement"], files=files)
                messages.success(request, "复核材料已提交。")
                return redirect("honours:renewal", pk=review.pk)
        except DomainError as e:
            error = e.message
    return render(request, "honours/renewal.html", {
        "review": review, "honour": honour, "spec": spec, "form": form, "officer": officer, "error": error,
        "clauses": clauses, "to_attest": {c["id"] for c in term.to_attest(clauses)},
        "uploads": review.uploads.all()}, status=400 if error or form.errors else 200)


@login_required
def duty(request, pk):
    from . import term
    from .forms import DutyForm

    task = DutyTask.objects.select_related("honour__person", "honour__employer", "honour__jurisdiction",
                                           "honour__policy").filter(pk=pk).first()
    if task is None:
        raise Http404("no such duty")
    _task_or_review_honour(request, task.honour)
    allowed = term.can_complete(request.user, task)
    form = DutyForm(request.POST or None, request.FILES or None, assessment=task.kind == "assessment")
    if request.method == "POST" and allowed and form.is_valid():
        try:
            term.complete_duty(task, actor=request.user, report=form.cleaned_data["report"],
                               result=form.cleaned_data.get("result", ""),
                               files=[("附件", f) for f in request.FILES.getlist("files")])
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, "已办结。")
            return redirect("honours:duty", pk=task.pk)
    return render(request, "honours/duty.html", {"task": task, "form": form, "allowed": allowed,
                                                 "today": timezone.localdate(), "uploads": task.uploads.all()},
                  status=400 if form.errors else 200)


@requires("honour.view")
def duties(request):
    """Open duties of the visible holders, overdue first (the bureau's overdue list: ?overdue=1)."""
    from . import term

    qs = term.visible_duties(request.user).filter(status="open", honour__status="active")
    if request.GET.get("overdue"):
        qs = term.overdue_duties(qs)
    page, query = paginate(request, qs.order_by("due_on", "pk"), 50)
    return render(request, "honours/duties.html", {"page": page, "query": query, "today": timezone.localdate(),
                                                   "overdue": bool(request.GET.get("overdue"))})
