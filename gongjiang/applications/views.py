from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from gongjiang.accounts.permissions import check, requires
from gongjiang.core.caching import personal_change
from gongjiang.core.errors import DomainError
from gongjiang.core.listing import paginate
from gongjiang.core.params import id_or_none
from gongjiang.core.vocab import Role
from gongjiang.rounds import policy_link
from gongjiang.rounds.listing import Column, Listing
from gongjiang.rounds.models import RecommendingUnit
from gongjiang.rounds.services import visible_rounds
from gongjiang.rounds.views import pdf_response

from . import exports, forms, services, states
from .models import Application, Evidence, Route
from .states import UNIT_CANDIDATES, State


def _app_for(user, pk) -> Application:
    app = services.visible_applications(user).filter(pk=pk).first()
    if app is None:
        raise Http404("application not visible")
    return app


APP_COLUMNS = [
    Column("申报编号", "serial"), Column("姓名", "name"), Column("批次", "round__title"),
    Column("工作单位", "employer__name", lambda a: str(a.employer or "")),
    Column("推荐单位", "unit__organisation__name", lambda a: str(a.unit.organisation) if a.unit_id else ""),
    Column("途径", "route", lambda a: a.get_route_display()),
    Column("状态", "status", lambda a: a.staff_status),
    Column("资格初判", "eligibility_status", lambda a: exports.ELIGIBILITY_LABELS.get(a.eligibility_status, "")),
    Column("推荐排序", "unit_rank"),
    Column("提交时间", "submitted_at", lambda a: timezone.localtime(a.submitted_at) if a.submitted_at else ""),
]


@requires("application.view")
def application_list(request):
    user = request.user
    qs = services.visible_applications(user)
    table = Listing(request, qs, columns=APP_COLUMNS,
                    filters={"round": "round_id", "status": "status", "route": "route", "unit": "unit_id",
                             "eligibility": "eligibility_status"},
                    search=["name", "serial", "employer__name"], default_sort="-updated_at")
    if table.wants_export:
        return table.export("申报列表")
    return render(request, "applications/list.html", {
        "table": table, "rounds": visible_rounds(user).select_related(None).only("pk", "title").order_by("-year", "pk"), "statuses": [(k, v[0]) for k, v in states.LABELS.items()],
        "routes": Route.choices, "is_applicant": user.role == Role.APPLICANT,
        "can_start": check(user, "application.apply") or check(user, "application.nominate"),
    })


def _start_allowed(user):
    return check(user, "application.apply") or check(user, "application.nominate")


@requires("application.view")
def start(request):
    """Pick a round (and, for an employer, the employee) and open a draft."""
    user = request.user
    if not _start_allowed(user):
        messages.info(request, "申报由申报人本人或用人单位经办人发起；您可在此查看和处理申报。")
        return redirect("applications:list")
    open_rounds = [r for r in visible_rounds(user).filter(status="open") if r.is_accepting
                   and (r.allows_self_application if user.role == Role.APPLICANT else r.allows_employer_nomination)]
    chosen = request.GET.get("round") or request.POST.get("round")
    rnd = next((r for r in open_rounds if str(r.pk) == chosen), None)
    nominate = forms.NominateForm(request.POST or None) if user.role == Role.EMPLOYER else None
    if request.method == "POST":
        try:
            if rnd is None:
                raise DomainError("请选择一个正在申报的批次", log="no round chosen")
            if user.role == Role.APPLICANT:
                app = services.start(round=rnd, actor=user, route=Route.SELF, honour_code=request.POST.get("tier", ""))
            elif nominate.is_valid():
                person = services.employee_for_nomination(employer=user.organisation, actor=user,
                                                          **nominate.cleaned_data)
                app = services.start(round=rnd, actor=user, route=Route.EMPLOYER, person=person,
                                     honour_code=request.POST.get("tier", ""))
            else:
                raise DomainError("请填写员工姓名和身份证号码", log="nominate form invalid")
            messages.success(request, "申报草稿已创建，可随时保存，提交前均可修改。")
            return redirect("applications:edit", pk=app.pk)
        except DomainError as e:
            messages.error(request, e.message)
    tiers = [(r, policy_link.tier_choices(r)) for r in open_rounds if r.tiers]
    return render(request, "applications/start.html", {"rounds": open_rounds, "chosen": rnd, "nominate": nominate,
                                                       "tiers": tiers, "tier": request.POST.get("tier", "")})


@requires("application.view")
def edit(request, pk):
    """The generated form. One multipart form: saving, uploading a file, removing one and
    submitting all save what was typed first, so nothing entered is lost."""
    app = _app_for(request.user, pk)
    if not services.can_edit(request.user, app):
        return redirect("applications:detail", pk=app.pk)
    errors, post = {}, None
    if request.method == "POST":
        post = request.POST
        action = post.get("action", "save")
        facts, deed, errors = forms.read_form(post, app.round, tier=app.tier)
        unit = None
        if post.get("unit"):
            unit = RecommendingUnit.objects.filter(round=app.round, pk=id_or_none(post["unit"]) or 0).first()
            if unit is None:
                raise DomainError("所选推荐单位不存在，请重新选择", log="edit with unknown unit")
        if errors:
            unplaced = [text for key, text in errors.items() if key.endswith(".count")]  # no field shows them
            messages.error(request, "表单有误：" + "；".join(unplaced) if unplaced else "表单有误，请按提示修改。")
        else:
            try:
                services.save_draft(app, actor=request.user, facts=facts, deed_text=deed, unit=unit)
                uploaded = [_upload(request, app, key.removeprefix("file.")) for key in request.FILES
                            if key.startswith("file.")]
                if action == "submit" and all(uploaded):
                    services.submit(app, actor=request.user, commitment_name=post.get("commitment_name", ""))
                    messages.success(request, f"申报已提交（第{app.version}版），内容已锁定。")
                    return redirect("applications:detail", pk=app.pk)
                if action.startswith("remove-"):
                    ev = get_object_or_404(Evidence, pk=action.removeprefix("remove-"), application=app)
                    services.remove_evidence(ev, actor=request.user)
                    messages.success(request, f"已删除：{ev.name}")
                elif action.startswith("upload-") and not uploaded:
                    messages.error(request, "请先选择要上传的文件")
                elif not uploaded:
                    messages.success(request, "草稿已保存。")
                anchor = "#materials" if action.startswith(("upload-", "remove-")) or uploaded else ""
                return redirect(reverse("applications:edit", args=[app.pk]) + anchor)
            except DomainError as e:
                messages.error(request, e.message)
                if action == "submit":
                    post = None
    ctx = forms.form_context(app, post=post, errors=errors)
    ctx.update({"app": app, "problems": services.problems(app), "materials": _materials(app),
                "units": app.round.units.select_related("organisation"),
                "deed_text": post.get("deed_text", "") if post is not None else app.deed_text,
                "deed_min": services.DEED_MIN, "deed_target": services.DEED_TARGET, "deed_max": services.DEED_MAX,
                "commitment": exports.commitment_text(app.round), "messages_for_me": _read_messages(request, app)})
    return render(request, "applications/edit.html", ctx)


def _upload(request, app, material) -> bool:
    f = request.FILES[f"file.{material}"]
    try:
        ev = services.attach_evidence(app, actor=request.user, file=f, material=material)
        messages.success(request, f"草稿已保存，已上传：{ev.name}" + (f"（{ev.pages}页）" if ev.pages else ""))
        return True
    except DomainError as e:
        messages.error(request, f"上传未成功：{e.message}")
        return False


def _materials(app):
    files = list(app.evidence.all())
    out = []
    for m in app.round.materials:
        if not m.get("upload", True):
            continue
        rule = services.material_rule(m)
        out.append({**m, "rule": rule.describe(), "files": [f for f in files if f.material == m["code"]],
                    "accept": ",".join({"pdf": ".pdf,application/pdf", "jpeg": ".jpg,.jpeg,image/jpeg",
                                        "png": ".png,image/png"}[k] for k in sorted(rule.kinds))})
    return out


def _read_messages(request, app):
    msgs = list(app.messages.filter(recipient=request.user, read_at__isnull=True))
    if msgs:
        app.messages.filter(pk__in=[m.pk for m in msgs]).update(read_at=timezone.now())
        personal_change(request)  # the home page's list of unread messages
    return msgs


@requires("application.view")
def evidence_file(request, pk, file_pk):
    """Serve an evidence file to someone who may see the application; every access is logged."""
    from . import uploads

    app = _app_for(request.user, pk)
    ev = get_object_or_404(Evidence, pk=file_pk, application=app)
    services.log_evidence_access(ev, actor=request.user)
    return uploads.file_response(ev.path, download_name=ev.name, content_type=ev.content_type,
                                 inline=request.GET.get("download") != "1")


@requires("application.view")
def detail(request, pk):
    user = request.user
    app = _app_for(user, pk)
    is_owner = services.is_owner(user, app)
    officer = user.role != Role.APPLICANT
    if request.method == "POST":
        action = request.POST.get("action")
        reason = request.POST.get("reason", "")
        try:
            if action == "verify":
                services.verify_by_employer(app, actor=user, opinion=request.POST.get("opinion", ""),
                                            agree=request.POST.get("agree") != "0")
                messages.success(request, "单位审核意见已保存。")
            elif action == "reopen":
                services.reopen(app, actor=user, reason=reason)
                messages.success(request, "已退回申报人修改，操作已记录。")
            elif action == "reverify":
                services.reverify(app, actor=user, reason=reason)
                messages.success(request, "已按人才库最新记录重新核验，操作已记录。")
            elif action == "withdraw":
                services.withdraw(app, actor=user, reason=reason)
                messages.success(request, "申报已撤回。")
            else:
                raise DomainError("未知操作", log=f"unknown action {action}")
            return redirect("applications:detail", pk=app.pk)
        except DomainError as e:
            messages.error(request, e.message)
    versions = list(app.versions.select_related("submitted_by"))
    return render(request, "applications/detail.html", {
        "app": app, "facts": app.facts, "is_owner": is_owner, "officer": officer,
        "status_label": app.staff_status if officer else app.applicant_status,
        "versions": versions, "evidence": app.evidence.all(),
        "can_edit": services.can_edit(user, app),
        "can_verify": user.role == Role.EMPLOYER and app.status == State.SUBMITTED and services.needs_employer_step(app)
        and services.in_scope(user, app.employer),
        "can_reopen": officer and services.can_act_as_officer(user, app) and states.can_move(app.status, State.RETURNED),
        "can_withdraw": (is_owner or user.role == Role.EMPLOYER) and states.can_move(app.status, State.WITHDRAWN),
        "eligibility": app.eligibility if officer else None,
        "can_reverify": services.can_reverify(user, app),
        "conditions": {c["id"]: c for c in forms.conditions_for(app.round, app.tier)},
        "messages_for_me": _read_messages(request, app),
        "deed_length": services.deed_length(app.deed_text),
    })


@requires("application.view")
def application_form_pdf(request, pk):
    app = _app_for(request.user, pk)
    version = app.versions.order_by("-number").first()
    return pdf_response(exports.application_pdf(app, version), f"{app.serial}-{app.name}-申报表.pdf")


# ------------------------------------------------------------------ recommending unit

UNIT_ACTIONS_ON_AN_APPLICATION = {"forward", "unforward", "decline", "classified", "move"}


@requires("recommendation.forward")
def unit(request, pk):
    user = request.user
    u = services.units_for(user).filter(pk=pk).first()
    if u is None:
        raise Http404("unit not visible")
    if request.method == "POST":
        action = request.POST.get("action")
        app = None
        if action in UNIT_ACTIONS_ON_AN_APPLICATION:  # a request without a valid application: 400, not a 500
            app = Application.objects.filter(pk=id_or_none(request.POST.get("application")) or 0, unit=u).first()
            if app is None:
                raise DomainError("请先选择申报人", log=f"unit action {action} without a valid application")
        try:
            if action == "forward":
                services.forward(app, actor=user, classified=request.POST.get("classified") == "1")
                messages.success(request, f"已推荐：{app.name}")
            elif action == "unforward":
                services.unforward(app, actor=user, reason=request.POST.get("reason", ""))
                messages.success(request, f"已撤回推荐：{app.name}")
            elif action == "decline":
                services.decline(app, actor=user, reason=request.POST.get("reason", ""))
                messages.success(request, f"已标记不予推荐：{app.name}")
            elif action == "classified":
                services.set_classified(app, actor=user, classified=request.POST.get("classified") == "1")
            elif action == "rank":
                order = [int(x) for x in request.POST.get("order", "").split(",") if x.strip().isdigit()]
                services.rank(u, actor=user, order=order)
                messages.success(request, "推荐排序已保存。")
            elif action == "move":
                services.move_rank(u, actor=user, application=app, up=request.POST.get("dir") == "up")
            elif action == "notice":
                import datetime as dt

                u = services.post_unit_notice(u, actor=user, starts_on=dt.date.fromisoformat(request.POST["starts_on"]),
                                              text=request.POST.get("text", ""), contact=request.POST.get("contact", ""))
                messages.success(request, f"单位公示已发布，公示期至{u.notice_ends_on:%Y年%m月%d日}。")
            elif action == "step":
                import datetime as dt

                from . import unit_steps

                done_on = dt.date.fromisoformat(request.POST.get("done_on") or "")
                experts = request.POST.get("experts", "").strip()
                row = unit_steps.record_step(u, actor=user, kind=request.POST.get("step", ""), done_on=done_on,
                                             document=request.FILES.get("document"), body=request.POST.get("body", ""),
                                             experts=int(experts) if experts.isdigit() else None,
                                             note=request.POST.get("note", ""))
                messages.success(request, f"已登记单位推荐程序：{unit_steps.step_of(u.round, row.step).title}。")
            elif action == "report":
                services.submit_report(u, actor=user, text=request.POST.get("text", ""))
                messages.success(request, "推荐报告已报送，推荐人选已报送人社部门。")
            else:
                raise DomainError("未知操作", log=f"unknown unit action {action}")
        except (DomainError, ValueError, KeyError) as e:
            messages.error(request, getattr(e, "message", "日期格式不正确"))
        return redirect("applications:unit", pk=u.pk)
    apps = Application.objects.filter(unit=u).exclude(status__in=[State.DRAFT, State.WITHDRAWN]).select_related("employer")
    recommended = sorted([a for a in apps if a.status in UNIT_CANDIDATES], key=lambda a: (a.unit_rank or 999, a.pk))
    waiting = [a for a in apps if a.status == State.EMPLOYER_VERIFIED]
    others = [a for a in apps if a.status not in (*UNIT_CANDIDATES, State.EMPLOYER_VERIFIED)]
    from gongjiang.rounds.policy_link import ranking_required_above

    from . import unit_steps

    return render(request, "applications/unit.html", {
        "unit": u, "round": u.round, "recommended": recommended, "waiting": waiting, "others": others,
        "used": len(recommended), "left": max(u.quota - len(recommended), 0),
        "rank_above": ranking_required_above(u.round.policy), "today": timezone.localdate(),
        "default_report": services.default_report_text(u, recommended),
        "notice": services.current_unit_notice(u), "notice_problem": services.unit_notice_problem(u),
        "steps": unit_steps.progress(u),
    })


@requires("recommendation.forward")
def unit_report_pdf(request, pk):
    u = services.units_for(request.user).filter(pk=pk).first()
    if u is None:
        raise Http404("unit not visible")
    apps = Application.objects.filter(unit=u, status__in=UNIT_CANDIDATES).order_by("unit_rank")
    return pdf_response(exports.report_pdf(u, apps), f"{u.organisation}推荐报告.pdf")


# ------------------------------------------------------------------ competition winners (环翠 第十条（二）)

COMPETITION_PAGE_SIZE = 20


def _competition_round(user, round_pk):
    """The round, if visible (else 404) and open to `user` for competition nominations (else 403 with the reason)."""
    rnd = visible_rounds(user).filter(pk=round_pk).first()
    if rnd is None:
        raise Http404("round not visible")
    refusal = services.competition_nominator_refusal(user, rnd)
    if refusal == services.NO_COMPETITION_ROUTE:
        raise PermissionDenied(f"{refusal}：“{rnd.policy.title}”未规定从职业技能竞赛成绩优异者中推荐，"
                               "本页面对该批次不开放。请通过单位推荐或个人申报途径申报。")
    if refusal:
        raise PermissionDenied(refusal)
    return rnd


@requires("application.nominate_competition")
def competition(request, round_pk):
    """Search the registry people in scope who have competition placements, tick placements the
    policy's competition clause accepts (or leaves to the reviewers) and create the nominated draft."""
    user = request.user
    rnd = _competition_round(user, round_pk)
    tiers = policy_link.tier_choices(rnd)  # a round of several tiers: one tier's clauses at a time
    tier = request.POST.get("tier") or request.GET.get("tier", "")
    if tiers and tier not in dict(tiers):
        tier = tiers[0][0]
    error_for, error = None, ""
    if request.method == "POST":
        person_pk = request.POST.get("person", "")
        person = services.competition_candidates(user).filter(pk=person_pk).first() if person_pk.isdigit() else None
        if person is None:
            raise Http404("person not in scope")
        try:
            placements = [int(x) for x in request.POST.getlist("placement") if x.isdigit()]
            app = services.nominate_competition_winner(round=rnd, actor=user, person=person, placements=placements,
                                                       honour_code=tier, reason=request.POST.get("reason", "").strip())
            messages.success(request, f"已推荐竞赛优胜者{person.name}，申报草稿已创建（{app.serial}），请补充材料后提交。")
            return redirect("applications:edit", pk=app.pk)
        except DomainError as e:
            error_for, error = person.pk, e.message
    search = forms.CompetitionSearchForm(request.GET or None)
    query_text = search.cleaned_data["q"] if search.is_valid() else ""
    page, query = paginate(request, services.competition_candidates(user, query=query_text), COMPETITION_PAGE_SIZE)
    people = [{"person": p, "placements": services.competition_offer(p, rnd, tier),
               "application": services.live_application_of(p, rnd)} for p in page]
    from . import eligibility

    return render(request, "applications/competition.html", {
        "round": rnd, "route": services.competition_route(rnd), "form": search, "page": page, "query": query,
        "people": people, "error_for": error_for, "error": error, "accepting": rnd.is_accepting,
        "clauses": eligibility.competition_clauses(rnd, tier), "tiers": tiers, "tier": tier,
        "tier_title": rnd.tier_title(tier),
        "nominated": services.visible_applications(user).filter(round=rnd, route=Route.COMPETITION)
        .order_by("-created_at"),
    }, status=400 if error else 200)
