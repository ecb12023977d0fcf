"""Demo: holders of earlier rounds, so the register, certificates, verification and decisions have
something to show. Earlier rounds are entered as they ended (approved candidates and the approval
document), then awarded through `services.award_round` like a live approval. Idempotent."""
import datetime as dt

from django.utils import timezone

from gongjiang.accounts.models import Organisation, User
from gongjiang.policy.models import Policy
from gongjiang.rounds.models import Round

from . import services

# policy code, officer login, year, approval date, document number, holders
PAST_ROUNDS = [
    ("huiyang-chief-technician", "demo_bureau", 2025, dt.date(2025, 6, 30), "惠阳人社发〔2025〕18号",
     ["何志明", "林秀珍", "邓国华", "叶海涛"]),
    ("huancui-chief-technician", "bureau_huancui", 2025, dt.date(2025, 3, 3), "威环政字〔2025〕6号",
     ["孙立强", "于红梅", "曲志刚"]),
    ("ganzhou-craftsman", "bureau_ganzhou", 2024, dt.date(2024, 10, 8), "赣市府字〔2024〕41号",
     ["钟文斌", "赖春花", "谢建平", "温永红"]),
]


def _employer(officer):
    from gongjiang.accounts.demo import DEMO_EMPLOYER

    org = Organisation.objects.filter(name=DEMO_EMPLOYER, path__startswith=officer.organisation.path).first()
    return org or Organisation.objects.filter(parent=officer.organisation, kind="enterprise").order_by("pk").first()


def _round(policy, officer, year):
    from gongjiang.rounds import services as rounds

    code = f"demo-past-{policy.code}-{year}"
    rnd = Round.objects.filter(code=code).first()
    if rnd is None:
        rnd = rounds.open_round(policy=policy, organiser=officer.organisation, year=year, code=code,
                                title=f"{year}年度{policy.title}遴选（往届，演示）", opens_on=dt.date(year, 1, 6),
                                application_deadline=dt.date(year, 1, 31), actor=officer, reason="演示数据：往届批次")
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
    from .tests.factories import approve_candidates

    by_name, officers = {}, {}
    for policy_code, login, year, decided_on, number, names in PAST_ROUNDS:
        policy = Policy.objects.filter(code=policy_code).first()
        officer = User.objects.filter(username=login).first()
        if policy is None or officer is None:
            continue
        officers[policy.pk] = officer
        rnd = _round(policy, officer, year)
        if not rnd.honours.exists():
            approve_candidates(rnd, names, actor=officer, district=officer.organisation, decided_on=decided_on,
                               employer=_employer(officer), number=number)
            if stdout is not None:
                stdout.write(f"  honours {rnd.code}: {len(names)}\n")
        by_name.update({h.name: h for h in rnd.honours.select_related("policy")})
    _decisions(by_name, officers)
