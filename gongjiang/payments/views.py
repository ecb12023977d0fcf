"""Payment pages for finance officers, the bureau and auditors (data scope: the officer's subtree),
and a holder's own statement. Thin: every change goes through services."""
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gongjiang.accounts.permissions import check, require, requires
from gongjiang.accounts.scope import in_scope, org_q
from gongjiang.core.errors import DomainError
from gongjiang.core.excel import xlsx_response
from gongjiang.core.listing import paginate
from gongjiang.policy.models import Policy
from gongjiang.registry.models import Certificate, Person
from gongjiang.registry.services import find_person_by_id_number

from . import receivables, services
from .forms import (AccountForm, BankResultForm, BudgetForm, BureauSubsidyForm, DecisionForm, LedgerFilter,
                    PrepareForm, ReasonForm, RepaymentForm, RunForm, SubsidyForm)
from .models import Budget, Entitlement, LineStatus, PaymentLine, PaymentRun, Receivable, SubsidyClaim
from .schedule import yuan


def _runs(user):
    return PaymentRun.objects.filter(org_q(user, "organisation"))


def _run(request, pk):
    return get_object_or_404(_runs(request.user).select_related("prepared_by", "approved_by", "created_by"), pk=pk)


def _policies(user):
    return Policy.objects.filter(org_q(user, "jurisdiction")).order_by("code")


@requires("payments.view")
def index(request):
    form = RunForm(request.POST or None, initial={"period_kind": "month"})
    if request.method == "POST":
        require(request.user, "payments.manage")
        if form.is_valid():
            d = form.cleaned_data
            try:
                run = services.compute_run(organisation=request.user.organisation, period_kind=d["period_kind"],
                                           year=d["year"], month=d["month"], actor=request.user)
                messages.success(request, f"已计算{run.period_label}应发待遇：{run.line_count}笔")
                return redirect("payments:run", pk=run.pk)
            except DomainError as e:
                form.add_error(None, e.message)
    page, query = paginate(request, _runs(request.user).select_related("requeue_of"), 30)
    return render(request, "payments/index.html", {"page": page, "query": query, "form": form,
                                                   "can_manage": check(request.user, "payments.manage")})


@requires("payments.view")
def run_detail(request, pk):
    run = _run(request, pk)
    lines = run.lines.exclude(status=LineStatus.VOID).select_related("person", "entitlement").order_by("id")
    page, query = paginate(request, lines, 50)
    return render(request, "payments/run.html", {
        "run": run, "page": page, "query": query, "budget": services.budget_check(run),
        "imports": run.bank_imports.select_related("imported_by"), "requeues": run.requeues.all(),
        "recon": services.reconciliation([run])[0],
        "can_manage": check(request.user, "payments.manage"),
        "can_bank": check(request.user, "payments.bank_file"),
        "bank_ready": run.status in (PaymentRun.Status.APPROVED, PaymentRun.Status.EXPORTED, PaymentRun.Status.SETTLED),
        "prepare_form": PrepareForm(), "cancel_form": ReasonForm(), "bank_form": BankResultForm(),
        "failed_open": run.lines.filter(status=LineStatus.FAILED, requeued_as__isnull=True).count()})


def _act(request, pk, action):
    run = _run(request, pk)
    try:
        action(run)
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("payments:run", pk=run.pk)


@require_POST
@requires("payments.manage")
def run_prepare(request, pk):
    return _act(request, pk, lambda run: services.prepare_run(
        run, actor=request.user, budget_note=request.POST.get("budget_note", "")))


@require_POST
@requires("payments.manage")
def run_approve(request, pk):
    return _act(request, pk, lambda run: services.approve_run(run, actor=request.user))


@require_POST
@requires("payments.manage")
def run_cancel(request, pk):
    return _act(request, pk, lambda run: services.cancel_run(run, actor=request.user,
                                                             reason=request.POST.get("reason", "")))


@require_POST
@requires("payments.manage")
def run_requeue(request, pk):
    run = _run(request, pk)
    try:
        new = services.requeue_failed(run, actor=request.user)
        messages.success(request, f"已生成补发批次：{new.line_count}笔")
        return redirect("payments:run", pk=new.pk)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("payments:run", pk=run.pk)


@require_POST
@requires("payments.manage")
def run_import(request, pk):
    run = _run(request, pk)
    form = BankResultForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择银行回盘文件")
        return redirect("payments:run", pk=run.pk)
    upload = form.cleaned_data["file"]
    if upload.size > 20 * 1024 * 1024:
        messages.error(request, "文件过大（不超过20MB）")
        return redirect("payments:run", pk=run.pk)
    try:
        imp = services.import_bank_result(run, file_name=upload.name, data=upload.read(), actor=request.user)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("payments:run", pk=run.pk)
    if imp.status == imp.Status.REJECTED:
        messages.error(request, f"回盘文件已拒收，未登记任何结果：共{len(imp.errors)}处错误，见下方回盘记录")
    else:
        messages.success(request, f"已登记回盘：成功{imp.paid_count}笔，失败{imp.failed_count}笔")
    return redirect("payments:run", pk=run.pk)


@requires("payments.bank_file")
def run_bank_file(request, pk, fmt):
    run = _run(request, pk)
    try:
        name, data = services.export_bank_file(run, fmt=fmt, actor=request.user)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("payments:run", pk=run.pk)
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=\"bank.{fmt}\"; filename*=UTF-8''{quote(name)}"
    return response


LINE_HEADERS = ["业务参考号", "姓名", "身份证号码", "待遇", "依据", "期次", "应发日期", "金额（元）", "状态", "说明", "批次"]


def _line_rows(lines):
    for l in lines.select_related("person", "entitlement", "run"):
        yield [l.reference, l.person.name, l.person.id_number_masked, l.entitlement.name, l.entitlement.article,
               l.instalment, l.due_date, yuan(l.amount_fen), l.get_status_display(), l.reason, str(l.run)]


@requires("payments.view")
def run_lines_export(request, pk):
    run = _run(request, pk)
    return xlsx_response(f"发放明细-{run.pk}", LINE_HEADERS, _line_rows(run.lines.exclude(status=LineStatus.VOID)))


@require_POST
@requires("payments.manage")
def line_refuse(request, pk):
    line = get_object_or_404(PaymentLine.objects.filter(org_q(request.user, "run__organisation")), pk=pk)
    try:
        services.refuse_held(line, actor=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, "已决定不予发放")
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("payments:person", pk=line.person_id)


# --- budgets and totals --------------------------------------------------------------------------
BUDGET_HEADERS = ["政策（项目）", "年度", "预算（元）", "已发放（元）", "在途（元）", "结余（元）", "超预算"]


@requires("payments.view")
def budgets(request):
    form = BudgetForm(request.POST or None, policies=_policies(request.user))
    if request.method == "POST":
        require(request.user, "payments.manage")
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.set_budget(policy=d["policy"], year=d["year"], amount_fen=d["amount"], actor=request.user,
                                    note=d["note"])
                messages.success(request, "预算已保存")
                return redirect("payments:budgets")
            except DomainError as e:
                form.add_error(None, e.message)
    rows = services.programme_totals(request.user.organisation) if request.user.organisation_id else []
    if request.GET.get("export") == "xlsx":
        return xlsx_response("预算执行", BUDGET_HEADERS, (
            [r["policy"], r["year"], "" if r["budget"] is None else yuan(r["budget"]), yuan(r["paid"]),
             yuan(r["pending"]), "" if r["remaining"] is None else yuan(r["remaining"]), "是" if r["over"] else "否"]
            for r in rows))
    return render(request, "payments/budgets.html", {
        "rows": rows, "form": form, "can_manage": check(request.user, "payments.manage"),
        "budgets": Budget.objects.filter(org_q(request.user, "policy__jurisdiction")).select_related("policy")})


# --- ledger, statement, reconciliation -----------------------------------------------------------
def _ledger(request, form):
    lines = PaymentLine.objects.filter(org_q(request.user, "run__organisation")).exclude(status=LineStatus.VOID)
    if form.is_valid():
        d = form.cleaned_data
        if d["q"]:
            lines = lines.filter(person__name__contains=d["q"])
        if d["status"]:
            lines = lines.filter(status=d["status"])
        if d["year"]:
            lines = lines.filter(due_date__year=d["year"])
    return lines.order_by("-due_date", "-id")


@requires("payments.view")
def ledger(request):
    form = LedgerFilter(request.GET or None)
    lines = _ledger(request, form)
    if request.GET.get("export") == "xlsx":
        return xlsx_response("发放台账", LINE_HEADERS, _line_rows(lines))
    page, query = paginate(request, lines.select_related("person", "entitlement", "run"), 50)
    return render(request, "payments/ledger.html", {"page": page, "query": query, "form": form})


def _person(request, pk):
    person = get_object_or_404(Person.objects.select_related("jurisdiction"), pk=pk)
    if not in_scope(request.user, person.jurisdiction):
        raise Http404
    return person


STATEMENT_HEADERS = ["待遇", "依据", "期次", "应发日期", "金额（元）", "状态", "说明", "批次"]


def _statement_rows(data):
    for l in data["lines"]:
        yield [l.entitlement.name, l.entitlement.article, l.instalment, l.due_date, yuan(l.amount_fen),
               l.get_status_display(), l.reason, str(l.run)]


@requires("payments.view")
def person_statement(request, pk):
    person = _person(request, pk)
    data = services.statement(person)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(f"个人待遇台账-{person.name}", STATEMENT_HEADERS, _statement_rows(data))
    account = getattr(person, "payee_account", None)
    form = AccountForm(request.POST or None)
    if request.method == "POST":
        require(request.user, "payments.manage")
        if form.is_valid():
            try:
                services.set_payee_account(person, actor=request.user, **form.cleaned_data)
                messages.success(request, "收款账户已登记")
                return redirect("payments:person", pk=person.pk)
            except DomainError as e:
                form.add_error(None, e.message)
    return render(request, "payments/person.html", {
        "person": person, "data": data, "account": account, "form": form,
        "can_manage": check(request.user, "payments.manage"), "refuse_form": ReasonForm(),
        "can_renew": check(request.user, "honour.decide")})


RECON_HEADERS = ["批次", "状态", "登记笔数", "明细笔数", "登记金额（元）", "明细金额（元）", "已发放（元）", "失败（元）",
                 "待回盘（元）", "回盘成功（元）", "回盘失败（元）", "核对结果"]


@requires("payments.view")
def reconciliation(request):
    rows = services.reconciliation(_runs(request.user).exclude(status=PaymentRun.Status.CANCELLED).order_by("-id")[:200])
    if request.GET.get("export") == "xlsx":
        return xlsx_response("对账", RECON_HEADERS, (
            [str(r["run"]), r["run"].get_status_display(), r["stored_count"], r["lines_count"], yuan(r["stored_total"]),
             yuan(r["lines_total"]), yuan(r["paid"]), yuan(r["failed"]), yuan(r["pending"]), yuan(r["bank_paid"]),
             yuan(r["bank_failed"]), "一致" if r["ok"] else "不一致"] for r in rows))
    return render(request, "payments/reconciliation.html", {"rows": rows})


@requires("payments.own")
def my_statement(request):
    """A holder's own payments (their page): entitlements, lines and any money to return."""
    person = Person.objects.filter(account=request.user).first()
    data = services.statement(person) if person else None
    return render(request, "payments/mine.html", {"person": person, "data": data})


# --- 仲恺 第六条（一）2 subsidy ----------------------------------------------------------------------
def _subsidy_items(policies):
    return [(p, code, title) for p in policies for code, title, _, _ in services.subsidy_items(p)]


def _split_item(value, policies):
    pk, _, code = value.partition(":")
    policy = policies.filter(pk=pk).first()
    if policy is None:
        raise DomainError("补贴项目不正确", log="unknown subsidy item")
    return policy, code


def _certificate_for(person, policy, code):
    level = dict((c, lv) for c, _, lv, _ in services.subsidy_items(policy)).get(code)
    cert = Certificate.objects.filter(person=person, level=level).exclude(verification="rejected") \
        .order_by("-issued_on").first()
    if cert is None:
        raise DomainError("人才库中没有该人员相应等级的证书，请先登记证书", log="no certificate at level")
    return cert


def _submit(request, form, person, policies, route):
    policy, code = _split_item(form.cleaned_data["item"], policies)
    return services.submit_subsidy(person=person, policy=policy, honour_code=code,
                                   certificate=_certificate_for(person, policy, code),
                                   training=form.cleaned_data["training"], actor=request.user, route=route)


def _subsidy_policies(user=None):
    policies = Policy.objects.filter(pk__in=[p.pk for p in services.subsidy_policies()])
    return policies.filter(org_q(user, "jurisdiction")) if user is not None else policies


@requires("payments.subsidy_decide")
def subsidies(request):
    policies = _subsidy_policies(request.user)
    form = BureauSubsidyForm(request.POST or None, items=_subsidy_items(policies))
    if request.method == "POST" and form.is_valid():
        try:
            person = find_person_by_id_number(form.cleaned_data["id_number"].strip().upper())
            if person is None:
                raise DomainError("人才库中没有该身份证号码的人员", log="person not found")
            claim = _submit(request, form, person, policies, SubsidyClaim.Route.BUREAU)
            messages.success(request, "已录入，请核对条件后审核")
            return redirect("payments:subsidy", pk=claim.pk)
        except DomainError as e:
            form.add_error(None, e.message)
    claims = SubsidyClaim.objects.filter(policy__in=policies).select_related("person", "certificate")
    page, query = paginate(request, claims, 50)
    return render(request, "payments/subsidies.html", {"page": page, "query": query, "form": form})


@requires("payments.subsidy_decide")
def subsidy_detail(request, pk):
    claim = get_object_or_404(SubsidyClaim.objects.filter(policy__in=_subsidy_policies(request.user))
                              .select_related("person", "certificate", "policy", "created_by", "decided_by"), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_subsidy(claim, approve=form.cleaned_data["decision"] == "approve", actor=request.user,
                                    reason=form.cleaned_data["reason"])
            messages.success(request, "审核结果已保存")
            return redirect("payments:subsidy", pk=claim.pk)
        except DomainError as e:
            form.add_error(None, e.message)
    checks = services.subsidy_check(claim) if claim.status == SubsidyClaim.Status.SUBMITTED else []
    return render(request, "payments/subsidy.html", {"claim": claim, "form": form, "checks": checks})


@requires("payments.subsidy_apply")
def subsidy_apply(request):
    person = Person.objects.filter(account=request.user).first()
    policies = _subsidy_policies()
    form = SubsidyForm(request.POST or None, items=_subsidy_items(policies))
    if request.method == "POST" and form.is_valid():
        try:
            if person is None:
                raise DomainError("您的账号尚未关联人才库信息，请联系经办机构", log="applicant without person")
            _submit(request, form, person, policies, SubsidyClaim.Route.APPLICANT)
            messages.success(request, "申请已提交，等待经办机构审核")
            return redirect("payments:mine")
        except DomainError as e:
            form.add_error(None, e.message)
    claims = SubsidyClaim.objects.filter(person=person) if person else SubsidyClaim.objects.none()
    return render(request, "payments/subsidy_apply.html", {"form": form, "claims": claims, "person": person})


# --- clawback receivables and the renewal gate ---------------------------------------------------
def _receivables(user):
    return Receivable.objects.filter(org_q(user, "honour__jurisdiction")).select_related("person", "honour")


RECEIVABLE_HEADERS = ["姓名", "身份证号码", "称号", "依据", "撤销决定文号", "追回内容", "应退回（元）", "已退回（元）",
                      "核销（元）", "余额（元）", "状态"]


@requires("payments.view")
def receivables_list(request):
    rows = list(_receivables(request.user))
    for r in rows:
        r.repaid = receivables.repaid_fen(r)
        r.balance = r.amount_fen - r.repaid - r.writeoff_fen
    if request.GET.get("export") == "xlsx":
        return xlsx_response("应追回款", RECEIVABLE_HEADERS, (
            [r.person.name, r.person.id_number_masked, r.honour.title, r.article, r.document_number, r.items,
             yuan(r.amount_fen), yuan(r.repaid), yuan(r.writeoff_fen), yuan(r.balance), r.get_status_display()]
            for r in rows))
    return render(request, "payments/receivables.html", {"rows": rows})


@requires("payments.view")
def receivable_detail(request, pk):
    rec = get_object_or_404(_receivables(request.user), pk=pk)
    repay_form, reason_form = RepaymentForm(prefix="r"), ReasonForm(prefix="w")
    if request.method == "POST":
        require(request.user, "payments.manage")
        action = request.POST.get("action")
        try:
            if action == "repay":
                repay_form = RepaymentForm(request.POST, prefix="r")
                if repay_form.is_valid():
                    d = repay_form.cleaned_data
                    receivables.record_repayment(rec, amount_fen=d["amount"], paid_on=d["paid_on"],
                                                 reference=d["reference"], actor=request.user)
                    messages.success(request, "已登记退回")
                    return redirect("payments:receivable", pk=rec.pk)
            elif action == "writeoff":
                receivables.request_writeoff(rec, reason=request.POST.get("w-reason", ""), actor=request.user)
                messages.success(request, "核销申请已提交，待另一名财务人员审批")
                return redirect("payments:receivable", pk=rec.pk)
            elif action in ("approve", "refuse"):
                receivables.decide_writeoff(rec, approve=action == "approve", actor=request.user,
                                            reason=request.POST.get("w-reason", ""))
                messages.success(request, "已核销" if action == "approve" else "已退回核销申请")
                return redirect("payments:receivable", pk=rec.pk)
            else:
                messages.error(request, "请选择操作")
        except DomainError as e:
            messages.error(request, e.message)
    return render(request, "payments/receivable.html", {
        "rec": rec, "repaid": receivables.repaid_fen(rec), "balance": receivables.balance_fen(rec) - rec.writeoff_fen,
        "repayments": rec.repayments.select_related("recorded_by"), "repay_form": repay_form,
        "reason_form": reason_form, "can_manage": check(request.user, "payments.manage")})


@require_POST
@requires("honour.decide")
def renewal_passed(request, pk):
    """环翠 第十二条: the bureau records that the 复核认定 passed; the held-back payments follow."""
    ent = get_object_or_404(Entitlement.objects.filter(org_q(request.user, "policy__jurisdiction"),
                                                       gated_from__isnull=False), pk=pk)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, "请填写复核认定的文号或依据")
    else:
        services.open_renewal_gate([ent], actor=request.user, reason=reason)
        messages.success(request, "已登记复核认定通过，后续月份随下一批次发放")
    return redirect("payments:person", pk=ent.person_id)


@require_POST
@requires("payments.manage")
def sync_honours(request):
    """Entitlements for new holders, stops and receivables from honour decisions, without a run."""
    org = request.user.organisation
    counts = services.sync_honours(organisation=org, actor=request.user)
    messages.success(request, f"新增待遇资格{counts['entitlements']}项，停发{counts['stopped']}项，新增应追回款{counts['receivables']}笔")
    return redirect("payments:index")
