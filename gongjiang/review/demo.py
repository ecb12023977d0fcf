"""Demo data for the review stages (idempotent), as `review` of gongjiang/core/data/demo.yaml lists
it: an expert pool in the seed jurisdictions with the demo expert, and rounds of a programme in force
at the stages after the applications, each opened by its bureau through the round services:
- expert review: candidates with a panel composed of the demo expert and others (demo_expert has
  them to score);
- public notice: the shortlist on notice from today for the policy's working days (through
  notice_link.publish_shortlist; notices/demo.py files an objection on it);
- approval: the notice ran and closed earlier, the candidates went to the committee
  (notice_link.advance_after_notice), demo_committee's session approved them, so the bureau can
  record the approval on the notice's page, which awards the honours.
Candidates are placed at their stage with the review factories (the earlier stages are shown by the
open round); the earlier notice is entered as it ran, as the honours demo enters earlier rounds."""
import datetime as dt

from django.db import transaction

from gongjiang.accounts.models import Organisation, User
from gongjiang.core.demo_data import section
from gongjiang.core.errors import DomainError
from gongjiang.rounds import demo as rounds_demo

from . import experts, notice_link, services
from . import stages as st
from .models import CommitteeSession, Expert, Panel

DATA = section("review")
STAGES = DATA["stage_rounds"]
DEMO_NOTE = "演示数据"


def _pool(name):
    return Organisation.objects.filter(name=name, kind__in=["province", "city", "district", "devzone"]).first()


def _experts(actor):
    for name, pool_name, occupations, employer, title, *login in DATA["experts"]:
        pool = _pool(pool_name)
        if pool is None or Expert.objects.filter(name=name, pool=pool).exists():
            continue
        user = User.objects.filter(username=login[0]).first() if login else None
        if user is not None and Expert.objects.filter(user=user).exists():
            user = None
        services.create_expert(actor=actor, name=name, pool=pool, occupations=occupations, employer_name=employer,
                               title=title, user=user)


def _stage_round(stage, stage_title, candidates, status):
    """The round of `stage` with its candidates placed at `status` (once)."""
    from gongjiang.applications.models import Application

    from .tests.factories import make_application

    rnd = rounds_demo.ensure_round(STAGES["policy"], login=STAGES["login"], title=STAGES["title"], stage=stage,
                                   stage_title=stage_title)
    employer = Organisation.objects.filter(name=STAGES["employer"], kind="enterprise").first()
    if rnd is None or employer is None:
        return None, []
    apps = list(Application.objects.filter(round=rnd).order_by("serial"))
    if not apps:
        apps = [make_application(rnd, rnd.organiser, employer, name=name, status=status, birth=born,
                                 facts={"occupation": occupation}) for name, born, occupation in candidates]
    return rnd, apps


def _panel(rnd, apps, bureau):
    """The committee's experts review the candidates; the demo panel is composed of the demo expert
    and the next active experts of the round's pool, five in all, checked against the avoidance rules
    like any composition."""
    expert = Expert.objects.filter(user__username="demo_expert").first()
    if expert is None or Panel.objects.filter(round=rnd).exists():
        return
    waiting = [a for a in apps if a.status == st.EXPERT]
    minimum, _article = experts.minimum_size(rnd)
    others = [e for e in services.expert_pool(rnd).filter(is_active=True) if e.pk != expert.pk]
    chosen = [expert] + [e for e in others if not experts.composition_violations([e], waiting)][:(minimum or 5) - 1]
    experts.compose_panel(rnd, actor=bureau, name=STAGES["panel_name"], experts=chosen,
                          applications=waiting)


CONTACT = STAGES["notice_contact"]


def _notice(rnd, bureau):
    """The shortlist on notice from today, for the working days of the policy."""
    if notice_link.current_notice(rnd) is None:
        notice_link.publish_shortlist(rnd, actor=bureau, contact=CONTACT)


def _closed_notice(rnd, apps, bureau):
    """The notice of the candidates on it as it ran: published three weeks ago for the policy's working
    days, ended with no objection; entered like an earlier round (honours/demo.py), audited."""
    from django.utils import timezone

    from gongjiang.audit.services import record, snapshot
    from gongjiang.notices.models import Notice, NoticeEntry
    from gongjiang.workdays.services import notice_period_end

    if notice_link.current_notice(rnd) is not None:
        return notice_link.current_notice(rnd)
    days = notice_link.notice_days(rnd)
    start = rounds_demo.today() - dt.timedelta(days=21)  # the period counts working days (gongjiang.workdays)
    stage = notice_link.notice_stage(rnd)
    notice = Notice.objects.create(
        title=f"{rnd.title}拟入选人选公示", body=notice_link.default_body(rnd, stage, days), contact=CONTACT,
        organisation=rnd.organiser, round_id=rnd.pk, policy_ref=f"{rnd.policy.title} {stage.article}",
        start_date=start, end_date=notice_period_end(start, days), days=days, published_by=bureau,
        published_at=timezone.now())
    for position, app in enumerate(apps, 1):
        row = services.candidate_snapshot(app)
        NoticeEntry.objects.create(notice=notice, position=position, name=row["name"], gender=row["gender"],
                                   employer=row["employer"], occupation=row["occupation"],
                                   skill_level=row["skill_level"], honour=rnd.honour_title, application=app)
    record("notice.publish", actor=bureau, obj=notice, after=snapshot(notice), reason="演示数据：往期公示")
    return notice


def _committee_decided(rnd, apps, bureau):
    """公示无异议的, the committee 研究审定; the demo committee member sits on it, it approves all."""
    member = User.objects.filter(username=STAGES["committee_member"]).first()
    if member is None or CommitteeSession.objects.filter(round=rnd).exists():
        return
    notice = _closed_notice(rnd, apps, bureau)
    waiting = notice_link.advance_after_notice(rnd, actor=bureau)
    for app in waiting:
        app.refresh_from_db()
    session = services.open_session(rnd, actor=bureau, title=STAGES["committee_title"],
                                    held_on=notice.end_date + dt.timedelta(days=3), members=[member],
                                    candidates=waiting)
    services.close_session(session, actor=bureau, decisions={a.pk: {"outcome": "approved"} for a in waiting})


def seed(stdout=None):
    bureau = User.objects.filter(username=DATA["experts_by"]).first()
    if bureau is None:
        return
    with transaction.atomic():
        _experts(bureau)
    officer = User.objects.filter(username=STAGES["login"]).first()
    if officer is None:
        return
    steps = {"expert": _panel, "notice": lambda rnd, apps, who: _notice(rnd, who), "approval": _committee_decided}
    for spec in STAGES["stages"]:
        stage = spec["stage"]
        try:
            with transaction.atomic():
                rnd, apps = _stage_round(stage, spec["title"], spec["candidates"], getattr(st, spec["status"]))
                if rnd is not None:
                    steps[stage](rnd, apps, officer)
        except DomainError as e:
            if stdout:
                stdout.write(f"review demo: {STAGES['label']} {stage} round skipped ({e.log})\n")
