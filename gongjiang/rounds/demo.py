"""Demo rounds: a 2026 round of each seed policy (both honours of Zhongkai), published, with
deadlines ahead of today, and the recommending units of the Liaocheng and Ganzhou rounds (idempotent)."""
import datetime as dt

from gongjiang.accounts.models import Organisation, User

from . import services
from .models import Round

YEAR = 2026
# policy code, honour code (None: the first), title, bureau login, recommending units [(name, kind, quota)]
DEMO_ROUNDS = [
    ("huiyang-chief-technician", None, "2026年度惠阳区区管首席技师遴选", "demo_bureau", []),
    ("huancui-chief-technician", None, "2026年度环翠区首席技师选拔", "bureau_huancui", []),
    ("liaocheng-2019-chief-technician", None, "2026年度聊城市首席技师选拔推荐", "bureau_liaocheng",
     [("东昌府区", "county", 10), ("临清市", "county", 10), ("阳谷县", "county", 10)]),
    ("ganzhou-craftsman", None, "2026年度“赣州工匠”培养选拔", "bureau_ganzhou",
     [("章贡区", "county-bureau", 3), ("南康区", "county-bureau", 2)]),
    ("zhongkai-skilled-talent", "chief-technician", "2026年度仲恺高新区首席技师评选", "bureau_zhongkai", []),
    ("zhongkai-skilled-talent", "excellent-technician", "2026年度仲恺高新区优秀技师评选", "bureau_zhongkai", []),
]
# Quotas the demo officer states where the policy names none in force in 2026 (the last one it
# names): a round never gets a silent default.
DEMO_QUOTAS = {"liaocheng-2019-chief-technician": 40, "zhongkai-skilled-talent-chief-technician": 50,
               "zhongkai-skilled-talent-excellent-technician": 200}
OPENS = dt.date(2026, 11, 2)
APPLICATION_DEADLINE = dt.date(2026, 12, 18)
RECOMMENDATION_DEADLINE = dt.date(2026, 12, 25)
REVIEW_DEADLINE = dt.date(2026, 12, 31)


def demo_code(policy_code, honour_code):
    return f"{policy_code}-{honour_code + '-' if honour_code else ''}{YEAR}"[:60]


def seed(stdout=None):
    from gongjiang.policy.models import Policy
    from gongjiang.rounds import policy_link

    for policy_code, honour, title, login, units in DEMO_ROUNDS:
        policy = Policy.objects.filter(code=policy_code).first()
        officer = User.objects.filter(username=login).first()
        if policy is None or officer is None:
            continue
        if honour and honour not in dict(policy_link.honours(policy)):
            honour = None
        code = demo_code(policy_code, honour)
        rnd = Round.objects.filter(code=code).first()
        if rnd is None:
            stated = policy_link.round_defaults(policy, year=YEAR, honour_code=honour)["quota"]
            quota = None if stated else DEMO_QUOTAS.get(f"{policy_code}-{honour}" if honour else policy_code)
            rnd = services.open_round(
                policy=policy, honour_code=honour, quota=quota, organiser=officer.organisation, year=YEAR, title=title,
                code=code,
                opens_on=OPENS, application_deadline=APPLICATION_DEADLINE,
                recommendation_deadline=RECOMMENDATION_DEADLINE, review_deadline=REVIEW_DEADLINE,
                contact=f"{officer.organisation}人力资源和社会保障局 电话 0000-12345678（演示）", actor=officer,
                reason="演示数据")
            services.publish(rnd, actor=officer, reason="演示数据")
            if stdout is not None:
                stdout.write(f"  round {code}\n")
        for name, kind, quota in units:
            org = Organisation.objects.filter(name=name, parent__in=officer.organisation.subtree()).first()
            if org is not None and not rnd.units.filter(organisation=org).exists():
                services.set_unit(rnd, organisation=org, kind=kind, quota=quota, actor=officer, reason="演示数据")
