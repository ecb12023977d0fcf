"""Demo data for the review stages (idempotent): an expert pool in the seed jurisdictions with the
demo expert in 环翠's, and three rounds of 环翠区首席技师 (a programme in force, 第十八条) at the stages
after the applications (第十条（三）至（六）), each opened by bureau_huancui through the round services:
- 专家评审阶段: candidates in expert review with a panel composed of the demo expert and four others
  (demo_expert has them to score);
- 公示阶段: the shortlist on public notice from today for the policy's 5 working days
  (第十条（五）, through notice_link.publish_shortlist; notices/demo.py files an objection on it);
- 待批准: the notice ran and closed earlier, the candidates went to the committee
  (notice_link.advance_after_notice), demo_committee's session approved them (第十条（六）研究审定), so
  bureau_huancui can record the approval on the notice's page, which awards the honours.
Candidates are placed at their stage with the review factories (the earlier stages are shown by the
open round); the earlier notice is entered as it ran, as the honours demo enters earlier rounds."""
import datetime as dt

from django.db import transaction

from gongjiang.accounts.models import Organisation, User
from gongjiang.core.errors import DomainError
from gongjiang.rounds import demo as rounds_demo

from . import experts, notice_link, services
from . import stages as st
from .models import CommitteeSession, Expert, Panel

# name, pool jurisdiction, occupations, employer (outside specialists), title
EXPERTS = [
    ("刘工", "环翠区", ["船舶电焊工", "焊工", "钳工"], "威海市技师学院", "高级技师"),  # the demo expert
    ("邓建华", "惠阳区", ["电工", "焊工"], "惠阳区职业技能鉴定所", "高级技师"),
    ("叶美玲", "惠阳区", ["数控车工", "钳工"], "惠州学院机械工程系", "副教授"),
    ("钟国强", "惠阳区", ["焊工", "电工"], "惠州市特种设备检测院", "高级工程师"),
    ("罗志远", "惠阳区", ["钳工", "数控车工"], "惠州市高级技工学校", "高级技师"),
    ("曾晓东", "惠州市", ["焊工", "钳工", "电工"], "惠州市总工会技术协作中心", "高级技师"),
    ("温丽华", "惠州市", ["化工总控工", "焊工"], "惠州市石化行业协会", "高级工程师"),
    ("李振邦", "仲恺高新区", ["电子设备装接工", "钳工"], "仲恺高新区人才工作专家库", "高级技师"),
    ("何静", "仲恺高新区", ["数控车工", "焊工"], "惠州城市职业学院", "教授"),
    ("于成海", "环翠区", ["船舶电焊工", "钳工"], "威海职业学院", "高级技师"),
    ("毕文涛", "环翠区", ["电工", "船舶电焊工"], "环翠区职业技能鉴定所", "高级技师"),
    ("丛培军", "威海市", ["焊工", "电工"], "威海市特种设备检验研究院", "高级工程师"),
    ("林晓红", "威海市", ["数控车工", "钳工"], "山东大学（威海）机电工程学院", "副教授"),
    ("马立军", "聊城市", ["机修钳工", "焊工"], "聊城技师学院", "高级技师"),
    ("郭明辉", "赣州市", ["稀土冶炼工", "电工"], "江西理工大学", "高级工程师"),
]
DEMO_NOTE = "演示数据"


def _pool(name):
    return Organisation.objects.filter(name=name, kind__in=["province", "city", "district", "devzone"]).first()


def _experts(actor):
    demo_user = User.objects.filter(username="demo_expert").first()
    for name, pool_name, occupations, employer, title in EXPERTS:
        pool = _pool(pool_name)
        if pool is None or Expert.objects.filter(name=name, pool=pool).exists():
            continue
        user = demo_user if name == "刘工" and demo_user and not Expert.objects.filter(user=demo_user).exists() else None
        services.create_expert(actor=actor, name=name, pool=pool, occupations=occupations, employer_name=employer,
                               title=title, user=user)


HUANCUI = ("huancui-chief-technician", "环翠区首席技师选拔", "bureau_huancui")
EMPLOYER = "威海示范船舶修造有限公司"
# stage, its title, candidates (name, born, occupation), the status they are placed at
STAGE_ROUNDS = [
    ("expert", "专家评审阶段", [("曲海涛", dt.date(1979, 5, 12), "船舶电焊工"), ("宋立华", dt.date(1983, 11, 3), "钳工")],
     st.EXPERT),
    ("notice", "公示阶段", [("林振华", dt.date(1978, 4, 16), "焊工"), ("梁秀梅", dt.date(1984, 8, 8), "电工")],
     st.PASSED),
    ("approval", "待批准", [("王立群", dt.date(1980, 2, 27), "船舶电焊工"), ("谭春燕", dt.date(1985, 7, 14), "电工")],
     st.ON_NOTICE),
]


def _stage_round(stage, stage_title, candidates, status):
    """The 环翠 round of `stage` with its candidates placed at `status` (once)."""
    from gongjiang.applications.models import Application

    from .tests.factories import make_application

    policy_code, title, login = HUANCUI
    rnd = rounds_demo.ensure_round(policy_code, login=login, title=title, stage=stage, stage_title=stage_title)
    employer = Organisation.objects.filter(name=EMPLOYER, kind="enterprise").first()
    if rnd is None or employer is None:
        return None, []
    apps = list(Application.objects.filter(round=rnd).order_by("serial"))
    if not apps:
        apps = [make_application(rnd, rnd.organiser, employer, name=name, status=status, birth=born,
                                 facts={"occupation": occupation}) for name, born, occupation in candidates]
    return rnd, apps


def _panel(rnd, apps, bureau):
    """环翠 第十条（四）: the committee's experts review the candidates; the demo panel is composed of the
    demo expert and the next active experts of the round's pool, five in all, checked against the
    avoidance rules like any composition."""
    expert = Expert.objects.filter(user__username="demo_expert").first()
    if expert is None or Panel.objects.filter(round=rnd).exists():
        return
    waiting = [a for a in apps if a.status == st.EXPERT]
    minimum, _article = experts.minimum_size(rnd)
    others = [e for e in services.expert_pool(rnd).filter(is_active=True) if e.pk != expert.pk]
    chosen = [expert] + [e for e in others if not experts.composition_violations([e], waiting)][:(minimum or 5) - 1]
    experts.compose_panel(rnd, actor=bureau, name="环翠区首席技师评审委员会专家组（演示）", experts=chosen,
                          applications=waiting)


CONTACT = "环翠区人力资源和社会保障局，电话0631-5200000（演示）"


def _notice(rnd, bureau):
    """The shortlist on notice from today (第十条（五）考察公示, 5个工作日 from the policy)."""
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
    """环翠 第十条（六）: 公示无异议的, the committee 研究审定; demo_committee sits on it, it approves both."""
    member = User.objects.filter(username="demo_committee").first()
    if member is None or CommitteeSession.objects.filter(round=rnd).exists():
        return
    notice = _closed_notice(rnd, apps, bureau)
    waiting = notice_link.advance_after_notice(rnd, actor=bureau)
    for app in waiting:
        app.refresh_from_db()
    session = services.open_session(rnd, actor=bureau, title="环翠区委人才工作领导小组审定会议（演示）",
                                    held_on=notice.end_date + dt.timedelta(days=3), members=[member],
                                    candidates=waiting)
    services.close_session(session, actor=bureau, decisions={a.pk: {"outcome": "approved"} for a in waiting})


def seed(stdout=None):
    bureau = User.objects.filter(username="demo_bureau").first()
    if bureau is None:
        return
    with transaction.atomic():
        _experts(bureau)
    officer = User.objects.filter(username=HUANCUI[2]).first()
    if officer is None:
        return
    steps = {"expert": _panel, "notice": lambda rnd, apps, who: _notice(rnd, who), "approval": _committee_decided}
    for stage, title, candidates, status in STAGE_ROUNDS:
        try:
            with transaction.atomic():
                rnd, apps = _stage_round(stage, title, candidates, status)
                if rnd is not None:
                    steps[stage](rnd, apps, officer)
        except DomainError as e:
            if stdout:
                stdout.write(f"review demo: 环翠 {stage} round skipped ({e.log})\n")
