"""Demo: holders of earlier rounds, so the register, certificates, verification and decisions have
something to show. Earlier rounds are entered as they ended (approved candidates and the approval
document), then awarded through `services.award_round` like a live approval. Idempotent."""
import datetime as dt

from django.utils import timezone

from gongjiang.accounts.models import Organisation, User
from gongjiang.policy.models import Policy
from gongjiang.rounds.models import Round, RoundStatus

from . import services

# policy code, officer login, year, round title, approval date, document number, holders
PAST_ROUNDS = [
    ("huiyang-chief-technician", "demo_bureau", 2025, "2025年度惠阳区区管首席技师遴选", dt.date(2025, 6, 30), "惠阳人社发〔2025〕18号",
     ["何志明", "林秀珍", "邓国华", "叶海涛"]),
    ("huancui-chief-technician", "bureau_huancui", 2025, "2025年度环翠区首席技师选拔", dt.date(2025, 3, 3), "威环政字〔2025〕6号",
     ["孙立强", "于红梅", "曲志刚"]),
    ("ganzhou-craftsman", "bureau_ganzhou", 2024, "2024年度“赣州工匠”培养选拔", dt.date(2024, 10, 8), "赣市府字〔2024〕41号",
     ["钟文斌", "赖春花", "谢建平", "温永红"]),
    # Expired programmes show only as such earlier rounds, with the dates they ran on: the 2019 notice
    # of 聊城, and 仲恺's measures (第十条: 2014年5月9日起施行，有效期2年).
    ("liaocheng-2019-chief-technician", "bureau_liaocheng", 2019, "2019年度聊城市首席技师选拔推荐", dt.date(2019, 9, 20), "聊政字〔2019〕58号",
     ["马振东", "高玉兰", "李文博"]),
    ("zhongkai-skilled-talent", "bureau_zhongkai", 2015, "2015年度仲恺高新区首席技师评选", dt.date(2015, 9, 28), "惠仲社发〔2015〕21号",
     ["邱海波", "苏嘉怡", "冯志成"]),
]


def _employer(officer):
    from gongjiang.accounts.demo import DEMO_EMPLOYER

    org = Organisation.objects.filter(name=DEMO_EMPLOYER, path__startswith=officer.organisation.path).first()
    return org or Organisation.objects.filter(parent=officer.organisation, kind="enterprise").order_by("pk").first()


def _round(policy, officer, year, title):
    from gongjiang.rounds import services as rounds

    from gongjiang.rounds import policy_link

    code = f"demo-past-{policy.code}-{year}"
    rnd = Round.objects.filter(code=code).first()
    if rnd is None:
        # The round ran while its policy was in force: it opens no earlier than the policy took effect.
        parsed = policy_link.parsed(policy)
        start = parsed.validity.valid_from
        opens = max(dt.date(year, 1, 6), start or dt.date(year, 1, 6))
        # Its reference date too: a notice issued during the year counts from the day it was issued.
        default_ref = policy_link.round_defaults(policy, year=year)["reference_date"]
        ref = default_ref if parsed.in_force(default_ref) else max(default_ref, start or default_ref)
        rnd = rounds.open_round(policy=policy, organiser=officer.organisation, year=year, code=code, reference_date=ref,
                                title=f"{title}（往届，演示）", opens_on=opens,
                                application_deadline=opens + dt.timedelta(days=25), actor=officer,
                                reason="演示数据：往届批次")
    return rnd


def _file_as_historical(rnd, officer):
    """An earlier round is shown as it ended: published, closed and filed (已归档) with its dates."""
    from gongjiang.rounds import services as rounds

    for step in (rounds.publish, rounds.close, rounds.archive):
        rnd = step(rnd, actor=officer, reason="演示数据：往届批次")
    return rnd


def _decisions(by_name, officer):
    """One exit and one revocation, as the policies say, so their pages and verification show them."""
    today = timezone.localdate()
    for name, kind, outcome_id, effective, number, body, reason in [
        ("叶海涛", "exit", "city-chief", dt.date(2026, 7, 1), "惠市人社发〔2026〕9号", "惠阳区人力资源和社会保障局",
         "获评“市管首席技师”称号（演示）"),
        ("曲志刚", "exit", "left-post", dt.date(2026, 4, 1), "威环人社字〔2026〕12号", "环翠区人力资源和社会保障局",
         "调任企业行政管理岗位，不再从事技能岗位工作（演示）"),
        ("温永红", "revocation", "fraud", dt.date(2026, 5, 11), "赣市人社字〔2026〕27号", "市人社局核实",
         "经核实，申报材料中的省级技能竞赛获奖证书系伪造（演示）"),
    ]:
        honour = by_name.get(name)
        if honour is None or honour.decisions.exists() or effective > today:
            continue
        services.decide(honour, kind=kind, outcome_id=outcome_id, effective=effective, actor=officer[honour.policy_id],
                        document_no=number, decided_by=body, reason=reason)


def seed(stdout=None):
    import itertools

    from gongjiang.applications.models import Application

    from .tests import factories
    from .tests.factories import approve_candidates

    # The factories number people from a counter (two numbers per holder); start it after the holders
    # already seeded, so a round added to PAST_ROUNDS later gets the numbers a fresh seed gives it.
    factories._ids = itertools.count(2 * Application.objects.filter(round__code__startswith="demo-past-").count() + 1)
    by_name, officers = {}, {}
    for policy_code, login, year, title, decided_on, number, names in PAST_ROUNDS:
        policy = Policy.objects.filter(code=policy_code).first()
        officer = User.objects.filter(username=login).first()
        if policy is None or officer is None:
            continue
        officers[policy.pk] = officer
        rnd = _round(policy, officer, year, title)
        if not rnd.honours.exists():
            approve_candidates(rnd, names, actor=officer, district=officer.organisation, decided_on=decided_on,
                               employer=_employer(officer), number=number)
            if stdout is not None:
                stdout.write(f"  honours {rnd.code}: {len(names)}\n")
        if rnd.status == RoundStatus.DRAFT:
            _file_as_historical(rnd, officer)
        by_name.update({h.name: h for h in rnd.honours.select_related("policy")})
    _decisions(by_name, officers)
