"""Demo data for the review stages (idempotent): an expert pool in the seed jurisdictions, the demo
expert linked to one of them, the Huiyang demo candidate taken through qualification review and
site inspection into expert review with a composed panel (so demo_expert has someone to score), a
secret-ballot session of the Zhongkai round for demo_committee, and a second Huiyang demo round whose
shortlist passed the credit check and the committee and is on notice (review.notice_link), so that
公示管理 and the public /notices/ page show a real shortlist linked to applications."""
import datetime as dt

from django.db import transaction

from gongjiang.accounts.models import Organisation, User
from gongjiang.core.errors import DomainError
from gongjiang.rounds.models import Round

from . import experts, services
from . import stages as st
from .models import CommitteeSession, Expert, Panel

# name, pool jurisdiction, occupations, employer (outside specialists), title
EXPERTS = [
    ("刘工", "惠阳区", ["焊工", "钳工", "机修钳工"], "惠州市技师学院", "高级技师"),
    ("邓建华", "惠阳区", ["电工", "焊工"], "惠阳区职业技能鉴定所", "高级技师"),
    ("叶美玲", "惠阳区", ["数控车工", "钳工"], "惠州学院机械工程系", "副教授"),
    ("钟国强", "惠阳区", ["焊工", "电工"], "惠州市特种设备检测院", "高级工程师"),
    ("罗志远", "惠阳区", ["钳工", "数控车工"], "惠州市高级技工学校", "高级技师"),
    ("曾晓东", "惠州市", ["焊工", "钳工", "电工"], "惠州市总工会技术协作中心", "高级技师"),
    ("温丽华", "惠州市", ["化工总控工", "焊工"], "惠州市石化行业协会", "高级工程师"),
    ("李振邦", "仲恺高新区", ["电子设备装接工", "钳工"], "仲恺高新区人才工作专家库", "高级技师"),
    ("何静", "仲恺高新区", ["数控车工", "焊工"], "惠州城市职业学院", "教授"),
    ("于成海", "环翠区", ["船舶电焊工", "钳工"], "威海职业学院", "高级技师"),
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


def _to_expert_review(app, actor):
    """Take a recommended demo application through the stages before expert review."""
    proc = services.procedure(app.round)
    if app.status == st.RECOMMENDED:
        services.accept(app, actor=actor, reason=DEMO_NOTE)
    if app.status == st.QUALIFICATION:
        clauses = services.clause_results(app)
        services.decide_qualification(
            app, actor=actor, outcome="pass",
            attestations={c["id"]: {"met": True, "note": "演示：经审核申报材料、单位意见，认定符合"}
                          for c in services.clauses_to_attest(clauses)})
    if app.status == st.INSPECTION:
        services.record_inspection(app, actor=actor, visited_on=dt.date(2026, 11, 20), visitors="陈思远、评选委员会成员2人",
                                   employer_opinion="单位同意推荐，该同志长期在一线岗位，技术过硬。",
                                   findings="现场查看工作岗位和技术革新成果，与申报材料一致。", outcome="pass")
    return st.EXPERT in proc and app.status == st.EXPERT


def _huiyang_panel(bureau):
    """惠阳 第九条: 评选委员会负责组建专家组 (policy: random_draw: false), so the demo panel is
    composed, not drawn: the demo expert and the next active experts of the round's pool, as many as
    the policy's minimum, checked against the avoidance rules like any composition."""
    from gongjiang.applications.models import Application

    expert = Expert.objects.filter(user__username="demo_expert").first()
    app = Application.objects.filter(round__code__startswith="huiyang-chief-technician", name="黄伟明").first()
    if expert is None or app is None or Panel.objects.filter(round=app.round).exists():
        return
    if not _to_expert_review(app, bureau):
        return
    minimum, _article = experts.minimum_size(app.round)
    minimum = minimum or 5  # the demo's panel where the policy sets no size (the officer's choice)
    others = [e for e in services.expert_pool(app.round).filter(is_active=True) if e.pk != expert.pk]
    chosen = [expert] + [e for e in others
                         if not experts.composition_violations([e], [app])][:minimum - 1]
    experts.compose_panel(app.round, actor=bureau, name="惠阳区首席技师评审专家组（演示）", experts=chosen,
                          applications=[app])


def _zhongkai_session():
    """A secret-ballot session with the demo committee member: two demo candidates of the Zhongkai
    round placed at the committee stage (the demo has no real Zhongkai applications yet)."""
    from gongjiang.applications.models import Application
    from gongjiang.rounds.models import Round

    from .tests.factories import make_application

    member = User.objects.filter(username="demo_committee").first()
    bureau = User.objects.filter(username="bureau_zhongkai").first()
    rnd = Round.objects.filter(code__startswith="zhongkai-skilled-talent-chief-technician").first()
    if member is None or bureau is None or rnd is None or CommitteeSession.objects.filter(round=rnd).exists():
        return
    if not services.procedure(rnd).get(st.COMMITTEE) or not services.procedure(rnd).get(st.COMMITTEE).secret_ballot:
        return
    employer = Organisation.objects.filter(kind="enterprise", path__startswith=rnd.organiser.path).first()
    if employer is None:
        return
    apps = list(Application.objects.filter(round=rnd, status=st.COMMITTEE))
    for name, born in (("邱海波", dt.date(1981, 3, 12)), ("苏嘉怡", dt.date(1986, 9, 30))):
        if not any(a.name == name for a in apps):
            apps.append(make_application(rnd, rnd.organiser, employer, name=name, status=st.COMMITTEE, birth=born,
                                         facts={"occupation": "电子设备装接工"}))
    services.open_session(rnd, actor=bureau, title="仲恺高新区人才工作领导小组认定会议（演示）",
                          held_on=dt.date(2026, 12, 28), members=[member], candidates=apps)


SHORTLIST_ROUND = "huiyang-chief-technician-2026-notice"
SHORTLIST = [("林振华", dt.date(1978, 4, 16), "数控车工"), ("梁秀梅", dt.date(1984, 8, 8), "电工")]


def _huiyang_shortlist_on_notice(bureau):
    """A Huiyang round at the notice stage (惠阳 第十条（七）): two candidates placed at the credit
    check (the earlier stages are shown by the main demo round), every department answers 无不良记录,
    demo_committee's 审定 approves them, and the shortlist is published through
    notice_link.publish_shortlist (不少于5个工作日 from the policy, applications move to on_notice)."""
    from gongjiang.applications.models import Application
    from gongjiang.rounds import demo as rounds_demo
    from gongjiang.rounds import services as rounds

    from . import notice_link
    from .tests.factories import make_application

    member = User.objects.filter(username="demo_committee").first()
    main = Round.objects.filter(code=rounds_demo.demo_code("huiyang-chief-technician", None)).first()
    employer = Organisation.objects.filter(kind="enterprise", path__startswith=bureau.organisation.path).order_by("pk").first()
    if member is None or main is None or employer is None:
        return
    rnd = Round.objects.filter(code=SHORTLIST_ROUND).first()
    if rnd is None:
        rnd = rounds.open_round(
            policy=main.policy, organiser=main.organiser, year=main.year, code=SHORTLIST_ROUND, actor=bureau,
            title=f"{main.title}（演示：公示阶段）", opens_on=main.opens_on,
            application_deadline=main.application_deadline, recommendation_deadline=main.recommendation_deadline,
            review_deadline=main.review_deadline, contact=main.contact, reason=DEMO_NOTE)
        rounds.publish(rnd, actor=bureau, reason=DEMO_NOTE)
    if notice_link.current_notice(rnd) is not None:
        return
    apps = list(Application.objects.filter(round=rnd).order_by("serial"))
    for name, born, occupation in SHORTLIST:
        if not any(a.name == name for a in apps):
            apps.append(make_application(rnd, rnd.organiser, employer, name=name, status=st.CREDIT, birth=born,
                                         facts={"occupation": occupation}))
    for app in apps:
        if app.status == st.CREDIT:
            if not app.credit_requests.exists():
                services.request_credit(app, actor=bureau, requested_on=dt.date(2026, 11, 16),
                                        letter_number="惠阳人社函〔2026〕18号（演示）")
            for req in app.credit_requests.filter(finding=""):
                services.record_credit_opinion(req, actor=bureau, answered_on=dt.date(2026, 11, 19), finding="clear",
                                               summary="经查询，无不良记录（演示）")
            app.refresh_from_db()
    waiting = [a for a in apps if a.status == st.COMMITTEE]
    if waiting:
        session = services.open_session(rnd, actor=bureau, title="区委人才工作领导小组办公室审定会议（演示）",
                                        held_on=dt.date(2026, 11, 20), members=[member], candidates=waiting)
        services.close_session(session, actor=bureau, decisions={a.pk: {"outcome": "approved"} for a in waiting})
    notice_link.publish_shortlist(rnd, actor=bureau,  # from today, 不少于5个工作日
                                  contact="惠阳区人力资源和社会保障局人才科，电话0752-3800000（演示）")


def seed(stdout=None):
    bureau = User.objects.filter(username="demo_bureau").first()
    if bureau is None:
        return
    with transaction.atomic():
        _experts(bureau)
    try:
        with transaction.atomic():
            _huiyang_panel(bureau)
    except DomainError as e:
        if stdout:
            stdout.write(f"review demo: Huiyang panel skipped ({e.log})")
    try:
        with transaction.atomic():
            _zhongkai_session()
    except DomainError as e:
        if stdout:
            stdout.write(f"review demo: Zhongkai session skipped ({e.log})")
    with transaction.atomic():
        _huiyang_shortlist_on_notice(bureau)
