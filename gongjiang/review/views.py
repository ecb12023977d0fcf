"""Review pages. Thin: each view checks the capability and scope, then calls services.
Out-of-scope objects are 404; domain errors are shown inline on the form."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gongjiang.accounts.models import User
from gongjiang.accounts.permissions import requires
from gongjiang.core.caching import personal_change, private_page
from gongjiang.core.errors import DomainError

from . import forms, notice_link, services
from . import stages as st
from .models import Assignment, CommitteeSession, Panel, PanelMethod, SessionMode


def _fail(form, error: DomainError):
    form.add_error(None, error.message)


# ---------------------------------------------------------------- bureau


@requires("review.manage")
def rounds(request):
    return render(request, "review/rounds.html", {"rounds": services.rounds_in_review(request.user)})


@requires("review.manage")
@private_page
def board(request, round_id):
    rnd = services.round_for(request.user, round_id)
    return render(request, "review/board.html", _board_context(request, rnd))


BOARD_PAGE_SIZE = 50


def _board_context(request, rnd, notice_form=None):
    from gongjiang.core.listing import paginate

    proc = services.procedure(rnd)
    from . import quota

    columns = services.board(rnd)
    form = forms.BoardFilter(request.GET or None, columns=columns)
    filters = form.filters()
    counts = {state: n for state, _, n in columns}
    # The stage counts are on the page already: the list's length and the quota's use come from them
    # (a name search still counts its own rows).
    shown = None if filters.get("q") else sum(n for s, n in counts.items() if filters.get("state") in ("", None, s))
    page, query = paginate(request, services.board_applications(rnd, **filters), BOARD_PAGE_SIZE, count=shown)
    taken = sum(counts[s] for s in quota.HOLDING) if quota.HOLDING <= counts.keys() \
        else rnd.applications.filter(status__in=quota.HOLDING).count()
    ctx = {"round": rnd, "procedure": proc, "columns": columns, "form": form, "page": page, "query": query,
           "quota": {"quota": rnd.quota, "article": rnd.quota_article, "taken": taken,
                     "left": max(rnd.quota - taken, 0)},
           "programmes": quota.round_progress(rnd), "cap_lines": quota.cap_lines(rnd),
           "panels": rnd.panels.all(), "sessions": rnd.committee_sessions.all(),
           "draw_form": forms.DrawForm(), "session_form": None, "forwarding_stage": proc.get(st.FORWARDING)}
    expert_stage = proc.get(st.EXPERT)
    if expert_stage is not None:
        from .experts import minimum_size

        ctx.update(expert_stage=expert_stage, panel_minimum=minimum_size(rnd),
                   shortfalls=services.panel_shortfalls(rnd))
    if st.COMMITTEE in proc:
        ctx["session_form"] = forms.SessionForm(committee=_committee_users(rnd))
    if st.NOTICE in proc:
        ctx.update(_notice_context(rnd, proc, notice_form))
    return ctx


def _notice_context(rnd, proc, form=None):
    stage = proc.get(st.NOTICE)
    notice = notice_link.current_notice(rnd)
    return {"notice_stage": stage, "notice": notice,
            "notice_ready": notice_link.ready_to_publish(rnd, current=notice),
            "notice_form": form or forms.PublishNoticeForm(initial={"start": services.today(),
                                                                    "days": stage.working_days}),
            "after_notice": proc.stage_after_notice,
            "committee_entry": notice_link.committee_entry(rnd, current=notice) if proc.stage_after_notice else None}


@requires("review.manage")
@require_POST
def publish_notice(request, round_id):
    """公示: the board's button that publishes the round's shortlist (notice_link.publish_shortlist)."""
    rnd = services.round_for(request.user, round_id)
    form = forms.PublishNoticeForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            notice = notice_link.publish_shortlist(rnd, actor=request.user, contact=d["contact"], start=d["start"],
                                                   days=d["days"])
            messages.success(request, f"已发布公示：{notice.title}（至{notice.end_date:%Y年%-m月%-d日}）")
            return redirect("review:board", rnd.pk)
        except DomainError as e:
            form.add_error(None, e.message)
    return render(request, "review/board.html", _board_context(request, rnd, form), status=400)


@requires("review.manage")
@require_POST
def advance_after_notice(request, round_id):
    """环翠 第十条（六）: the notice is closed, the candidates go to the committee."""
    rnd = services.round_for(request.user, round_id)
    try:
        apps = notice_link.advance_after_notice(rnd, actor=request.user)
        messages.success(request, f"已提交审定：{len(apps)}名")
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("review:board", rnd.pk)


def _committee_users(rnd):
    org = rnd.organiser
    return User.objects.filter(role="committee", is_active=True, organisation__path__startswith=org.path)


@requires("review.manage")
@require_POST
def accept(request, application_id):
    app = services.application_for(request.user, application_id)
    services.accept(app, actor=request.user)
    messages.success(request, f"已受理：{app.name}")
    return redirect("review:board", app.round_id)


@requires("review.manage")
def application(request, application_id):
    app = services.application_for(request.user, application_id)
    clauses = services.clause_results(app) if app.status == st.QUALIFICATION else []
    qform = forms.QualificationForm(request.POST or None, clauses=services.clauses_to_attest(clauses)) \
        if app.status == st.QUALIFICATION else None
    iform = forms.InspectionForm(request.POST or None, request.FILES or None) if app.status == st.INSPECTION else None
    oform = forms.OrganisationalReviewForm(request.POST or None, request.FILES or None,
                                           initial={"decided_on": services.today()}) \
        if app.status == st.ORGANISATIONAL else None
    cform = aform = None
    if app.status == st.CREDIT:
        cform = forms.CreditRequestForm(request.POST if request.POST.get("form") == "credit_request" else None,
                                        initial={"requested_on": services.today()})
        aform = forms.CreditAnswerForm(request.POST if request.POST.get("form") == "credit_answer" else None,
                                       request.FILES or None)
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "qualification" and qform and qform.is_valid():
                services.decide_qualification(app, actor=request.user, outcome=qform.cleaned_data["outcome"],
                                              attestations=qform.attestations(), article=qform.cleaned_data["article"],
                                              reason=qform.cleaned_data["reason"])
                return redirect("review:application", app.pk)
            if which == "inspection" and iform and iform.is_valid():
                d = iform.cleaned_data
                services.record_inspection(app, actor=request.user, visited_on=d["visited_on"], visitors=d["visitors"],
                                           employer_opinion=d["employer_opinion"], findings=d["findings"],
                                           outcome=d["outcome"], attachments=[d["attachment"]] if d["attachment"] else [])
                return redirect("review:application", app.pk)
            if which == "organisational" and oform and oform.is_valid():
                d = oform.cleaned_data
                services.record_organisational_review(app, actor=request.user, outcome=d["outcome"],
                                                      decided_on=d["decided_on"], reason=d["reason"],
                                                      document=d["document"])
                return redirect("review:application", app.pk)
            if which == "credit_request" and cform and cform.is_valid():
                services.request_credit(app, actor=request.user, requested_on=cform.cleaned_data["requested_on"],
                                        letter_number=cform.cleaned_data["letter_number"])
                return redirect("review:application", app.pk)
            if which == "credit_answer" and aform and aform.is_valid():
                d = aform.cleaned_data
                req = get_object_or_404(app.credit_requests, pk=d["request_id"])
                services.record_credit_opinion(req, actor=request.user, answered_on=d["answered_on"],
                                               finding=d["finding"], summary=d["summary"], document=d["document"])
                return redirect("review:application", app.pk)
            if which == "resume":
                services.resume_deferred(app, actor=request.user, reason=request.POST.get("reason", ""))
                return redirect("review:application", app.pk)
        except DomainError as e:
            target = {"qualification": qform, "inspection": iform, "credit_request": cform,
                      "credit_answer": aform, "organisational": oform}.get(which)
            if target is None:
                messages.error(request, e.message)
            else:
                _fail(target, e)
    return render(request, "review/application.html", {
        "app": app, "clauses": clauses, "qform": qform, "iform": iform, "cform": cform, "aform": aform,
        "oform": oform, "organisational_stage": services.procedure(app.round).get(st.ORGANISATIONAL),
        "organisational": app.organisational_reviews.select_related("document"),
        "evidence": app.evidence.order_by("material", "uploaded_at"),
        "credit_requests": app.credit_requests.all(), "decisions": app.qualification_decisions.all(),
        "inspections": app.site_inspections.prefetch_related("attachments"),
        "ranking": getattr(app, "ranking_entry", None),
        "committee": app.committee_decisions.select_related("session"),
        "employer_conditions": services.employer_conditions(app) if app.status in (st.CREDIT, st.DEFERRED) else [],
    })


@requires("review.manage")
@require_POST
def draw(request, round_id):
    rnd = services.round_for(request.user, round_id)
    form = forms.DrawForm(request.POST)
    if form.is_valid():
        try:
            panel = services.draw(rnd, actor=request.user, name=form.cleaned_data["name"],
                                  occupations=form.occupation_list(), seed=form.cleaned_data["seed"] or None,
                                  size=form.cleaned_data["size"])
            return redirect("review:panel", panel.pk)
        except DomainError as e:
            messages.error(request, e.message)
    else:
        messages.error(request, "请填写专家组名称和抽取人数（1至99名）")
    return redirect("review:board", rnd.pk)


@requires("review.manage")
def panel(request, panel_id):
    p = get_object_or_404(Panel.objects.select_related("round"), pk=panel_id)
    services.round_for(request.user, p.round_id)
    return panel_page(request, p)


def panel_page(request, p, *, add_form=None, status=200):
    from .expert_forms import AddMemberForm

    assignments = (p.assignments.select_related("expert", "application").order_by("application__serial", "expert__name"))
    can_add = p.method == PanelMethod.COMPOSE and not p.closed_at
    return render(request, "review/panel.html", {
        "panel": p, "assignments": assignments, "rerun_ok": services.rerun_draw(p), **_panel_names(p),
        "conflicts": p.conflicts.select_related("expert", "application", "replacement"),
        "shortfalls": [s for s in services.panel_shortfalls(p.round) if s["panel"].pk == p.pk],
        "add_form": (add_form or AddMemberForm(panel=p)) if can_add else None}, status=status)


def _panel_names(p):
    """The stored draw names experts and candidates by key ("expert:12", "application:7"): show names."""
    from gongjiang.applications.models import Application

    from .draw import Avoidance
    from .models import Expert

    result = p.result or {}
    ids = {kind: set() for kind in ("expert", "application")}
    for x in [*({"expert": k} for k in result.get("members", [])), *result.get("exclusions", [])]:
        for field in ("expert", "candidate"):
            kind, _, pk = (x.get(field) or "").partition(":")
            if kind in ids and pk.isdigit():
                ids[kind].add(int(pk))
    names = {f"expert:{pk}": name for pk, name in Expert.objects.filter(pk__in=ids["expert"]).values_list("pk", "name")}
    names |= {f"application:{pk}": name
              for pk, name in Application.objects.filter(pk__in=ids["application"]).values_list("pk", "name")}
    reasons = {a.value: a.label for a in Avoidance}
    return {"member_names": [names.get(k, "（已删除的专家）") for k in result.get("members", [])],
            "exclusion_rows": [{"expert": names.get(x.get("expert"), "（已删除的专家）"),
                                "candidate": names.get(x.get("candidate"), "") if x.get("candidate") else "",
                                "reason": x.get("detail") or reasons.get(x.get("reason"), "其他原因")}
                               for x in result.get("exclusions", [])]}


@requires("review.manage")
def paper_score(request, assignment_id):
    """代录: a clerk enters an expert's scores from the signed paper sheet."""
    a = get_object_or_404(Assignment.objects.select_related("panel", "expert", "application"), pk=assignment_id)
    services.round_for(request.user, a.panel.round_id)
    rubric = services.rubric_for(a.application.round)
    form = forms.PaperScoreForm(request.POST or None, request.FILES or None, rubric=rubric)
    if request.method == "POST" and form.is_valid():
        try:
            services.enter_paper_score(a, actor=request.user, points=form.points(),
                                       comment=form.cleaned_data["comment"], sheet=form.cleaned_data["sheet"])
            messages.success(request, f"已代录{a.expert.name}对{a.application.name}的评分")
            return redirect("review:panel", a.panel_id)
        except DomainError as e:
            _fail(form, e)
    return render(request, "review/paper_score.html", {"assignment": a, "form": form,
                                                        "score": getattr(a, "score", None)})


@requires("review.manage")
def results(request, round_id):
    rnd = services.round_for(request.user, round_id)
    rows, agg = services.score_table(rnd)
    if request.method == "POST":
        try:
            services.close_expert_review(rnd, actor=request.user, tie_choice=request.POST.getlist("tie"))
            messages.success(request, "专家评审已汇总，候选名单已确定")
            return redirect("review:board", rnd.pk)
        except DomainError as e:
            messages.error(request, e.message)
    return render(request, "review/results.html", {"round": rnd, "rows": rows, "aggregation": agg.describe(),
                                                   "ranking": rnd.ranking.select_related("application")})


@requires("review.manage")
@require_POST
def open_session(request, round_id):
    rnd = services.round_for(request.user, round_id)
    form = forms.SessionForm(request.POST, committee=_committee_users(rnd))
    if form.is_valid():
        try:
            s = services.open_session(rnd, actor=request.user, title=form.cleaned_data["title"],
                                      held_on=form.cleaned_data["held_on"], members=form.cleaned_data["members"])
            return redirect("review:manage_session", s.pk)
        except DomainError as e:
            messages.error(request, e.message)
    else:
        messages.error(request, "请填写会议名称、日期并选择委员")
    return redirect("review:board", rnd.pk)


@requires("review.manage")
def manage_session(request, session_id):
    s = get_object_or_404(CommitteeSession, pk=session_id)
    services.round_for(request.user, s.round_id)
    candidates = list(s.candidates.order_by("serial"))
    if request.method == "POST":
        decisions = None
        if s.mode == SessionMode.OPEN:
            decisions = {a.pk: {"outcome": request.POST.get(f"o_{a.pk}", ""), "reason": request.POST.get(f"r_{a.pk}", "")}
                         for a in candidates}
        try:
            services.close_session(s, actor=request.user, decisions=decisions, tie_choice=request.POST.getlist("tie"))
            messages.success(request, "会议已结束，结果已记录并通知申报人和所在单位")
            return redirect("review:manage_session", s.pk)
        except DomainError as e:
            messages.error(request, e.message)
    return render(request, "review/manage_session.html", {
        "session": s, "candidates": candidates, "progress": services.progress(s),
        "decisions": s.decisions.select_related("application")})


# ---------------------------------------------------------------- expert


@requires("review.score")
def expert_home(request):
    return render(request, "review/expert_home.html", {"assignments": services.assignments_for(request.user)})


@requires("review.score")
def expert_candidate(request, application_id):
    a = services.assignment_for(request.user, application_id)
    app = a.application
    rubric = services.rubric_for(app.round)
    existing = getattr(a, "score", None)
    initial = {}
    if existing:
        initial = {f"c_{k}": v for k, v in existing.points.items()} | {"comment": existing.comment}
    form = forms.ScoreForm(request.POST if request.POST.get("form") == "score" else None, rubric=rubric, initial=initial)
    cform = forms.ConflictForm(request.POST if request.POST.get("form") == "conflict" else None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "score" and form.is_valid():
                services.submit_score(a, actor=request.user, points=form.points(), comment=form.cleaned_data["comment"])
                messages.success(request, f"已提交对{app.name}的评分")
                return redirect("review:expert_home")
            if request.POST.get("form") == "conflict" and cform.is_valid():
                services.declare_conflict(a, actor=request.user, reason=cform.cleaned_data["reason"])
                messages.success(request, f"已声明回避：{app.name}")
                return redirect("review:expert_home")
        except DomainError as e:
            _fail(form if request.POST.get("form") == "score" else cform, e)
    return render(request, "review/expert_candidate.html", {
        "assignment": a, "app": app, "form": form, "cform": cform, "score": existing,
        "evidence": app.evidence.all(), "snapshot": services.candidate_snapshot(app)})


@requires("review.score")
def expert_evidence(request, application_id, evidence_id):
    from gongjiang.applications.uploads import file_response

    a = services.assignment_for(request.user, application_id)
    ev = a.application.evidence.filter(pk=evidence_id).first()
    if ev is None:
        raise Http404("no such evidence")
    from gongjiang.audit.services import record

    record("review.evidence.view", actor=request.user, obj=ev, reason="专家查阅申报材料")
    return file_response(ev.path, download_name=ev.name, content_type=ev.content_type)


# ---------------------------------------------------------------- committee


@requires("review.vote")
def committee_home(request):
    sessions = services.sessions_for(request.user)
    return render(request, "review/committee_home.html", {"sessions": sessions})


@requires("review.vote")
def session(request, session_id):
    s = services.session_for_member(request.user, session_id)
    candidates = list(s.candidates.select_related("employer").order_by("serial"))
    voted = services.has_voted(s, request.user)
    can_vote = s.is_open and s.mode == SessionMode.SECRET and not voted and s.present.filter(pk=request.user.pk).exists()
    form = forms.BallotForm(request.POST or None, candidates=candidates) if can_vote else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.cast_ballots(s, member=request.user, choices=form.choices())
            messages.success(request, "投票成功。本次为无记名投票，系统不记录您对各候选人的选择与您的对应关系。")
            return redirect("review:session", s.pk)
        except DomainError as e:
            _fail(form, e)
    tally = None
    if not s.is_open and s.mode == SessionMode.SECRET:
        cands, result, threshold = services.session_tally(s)
        tally = {"rows": list(zip(cands, result)), "threshold": threshold.describe()}
    ballot_rows = [(app, field, services.candidate_snapshot(app)) for app, field in form.rows()] if form else []
    return render(request, "review/session.html", {
        "session": s, "candidates": candidates, "form": form, "voted": voted, "tally": tally,
        "progress": services.progress(s), "ballot_rows": ballot_rows})


# ---------------------------------------------------------------- applicant / employer


def my_application(request, application_id):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    app = services.visible_decisions(request.user, application_id)
    personal_change(request)  # what was said about it is now read (home page)
    return render(request, "review/my_application.html", {"app": app, "history": services.applicant_history(app)})


@requires("review.manage")
def forwarding(request, round_id):
    """推荐上报: forward the round's approved candidates to the higher body the policy names, and
    record the outcome there."""
    rnd = services.round_for(request.user, round_id)
    stage = services.procedure(rnd).get(st.FORWARDING)
    if stage is None:
        messages.error(request, "本批次的政策未设置“推荐上报”环节")
        return redirect("review:board", rnd.pk)
    send = forms.ForwardingForm(request.POST if request.POST.get("form") == "forward" else None,
                                request.FILES or None,
                                initial={"forwarded_on": services.today(), "receiving_body": stage.to})
    outcome = forms.ForwardingOutcomeForm(request.POST if request.POST.get("form") == "outcome" else None,
                                          request.FILES or None, initial={"outcome_on": services.today()})
    if request.method == "POST":
        try:
            if send.is_bound and send.is_valid():
                d = send.cleaned_data
                services.forward_to_higher(rnd, actor=request.user, forwarded_on=d["forwarded_on"],
                                           receiving_body=d["receiving_body"], letter_number=d["letter_number"],
                                           document=d["document"])
                messages.success(request, f"已推荐上报{d['receiving_body']}。")
                return redirect("review:forwarding", rnd.pk)
            if outcome.is_bound and outcome.is_valid():
                d = outcome.cleaned_data
                row = get_object_or_404(rnd.forwardings, pk=d["forwarding"])
                selected = [int(x) for x in request.POST.getlist("selected") if x.isdigit()]
                services.record_forwarding_outcome(row, actor=request.user, outcome_on=d["outcome_on"],
                                                   selected=selected, text=d["text"], document=d["document"])
                messages.success(request, "上级评定结果已登记。")
                return redirect("review:forwarding", rnd.pk)
        except DomainError as e:
            _fail(send if send.is_bound else outcome, e)
    return render(request, "review/forwarding.html", {
        "round": rnd, "stage": stage, "send": send, "outcome": outcome,
        "waiting": services.forwardable(rnd),
        "forwardings": rnd.forwardings.prefetch_related("applications").select_related("document"),
    })
