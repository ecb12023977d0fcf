"""Factories for review tests: a round with a given stage list and recommended applications,
built on the real models (no mocks)."""
import datetime as dt
import itertools

import pytest
from django.utils import timezone

_seq = itertools.count(1)

HUIYANG_STAGES = [
    {"kind": "qualification_review", "article": "第十条（三）", "name": "资格初审", "notify_reasons": True},
    {"kind": "site_inspection", "article": "第十条（四）", "name": "实地考察", "hear_employer": True},
    {"kind": "expert_review", "article": "第十条（五）", "name": "专家评审", "panel": {"min_experts": 5}},
    {"kind": "credit_check", "article": "第十条（六）", "name": "安全信用审查",
     "departments": ["公安", "市场监管", "法院", "检察院", "税务"]},
    {"kind": "committee_decision", "article": "第十条（七）", "name": "审定", "ballot": "open"},
    {"kind": "public_notice", "article": "第十条（七）", "name": "公示", "working_days": 5},
]
ZHONGKAI_STAGES = [
    {"kind": "site_inspection", "article": "第五条（二）3", "name": "考察"},
    {"kind": "expert_review", "article": "第五条（二）3", "name": "专家评审",
     "panel": {"min_experts": 5, "random_draw": True, "pool": "区人才工作专家库"}},
    {"kind": "committee_decision", "article": "第五条（二）4", "name": "认定", "ballot": "secret",
     "threshold": {"kind": "majority", "of": "present"}},
]


@pytest.fixture
def review_world(jurisdictions, make_org, make_user):
    """A bureau at 惠阳区 with a policy row; `make_round(stages)` and `make_app(round, ...)`."""
    from gongjiang.applications.models import Application
    from gongjiang.core.idnumbers import make_resident_id
    from gongjiang.policy.models import Policy
    from gongjiang.registry.services import register_person
    from gongjiang.rounds.models import Round

    district = jurisdictions["惠阳区"]
    bureau = make_user("bureau", district)
    policy = Policy.objects.create(code=f"test-policy-{next(_seq)}", title="测试政策", jurisdiction=district,
                                   sha256="0" * 64, source="", document={}, loaded_at=timezone.now())

    def make_round(stages, quota=10, year=2026):
        n = next(_seq)
        return Round.objects.create(
            policy=policy, honour_code="chief", honour_title="区管首席技师", code=f"r{n}", title=f"测试批次{n}",
            year=year, organiser=district, reference_date=dt.date(year, 1, 1), opens_on=dt.date(year, 3, 1),
            application_deadline=dt.date(year, 4, 1), quota=quota, stages=stages, status="closed",
            published_at=timezone.now())

    def make_app(rnd, *, name=None, employer=None, status="recommended", birth=dt.date(1980, 5, 1), facts=None,
                 account=None):
        n = next(_seq)
        person = register_person(name=name or f"申报人{n}", jurisdiction=district,
                                 id_number=make_resident_id("441303", birth, n % 400, female=n % 2 == 0))
        return Application.objects.create(
            round=rnd, serial=f"T-{n:05d}", route="employer", person=person, name=person.name,
            employer=employer or make_org(parent=district), status=status, version=1, submitted_at=timezone.now(),
            commitment_name=person.name, forwarded_at=timezone.now(), facts=facts or {"occupation": "焊工"},
            applicant_account=account)

    return {"district": district, "bureau": bureau, "policy": policy, "make_round": make_round,
            "make_app": make_app}


@pytest.fixture
def expert_pool(review_world, make_org, make_user):
    """Twelve experts in the 惠阳区 pool, each with an account and their own employer."""
    from gongjiang.review.services import create_expert

    district, bureau = review_world["district"], review_world["bureau"]
    experts = []
    for i in range(12):
        user = make_user("expert", district, display_name=f"专家{i}", password=None)  # no hashing: fast
        experts.append(create_expert(actor=bureau, name=f"专家{i}", pool=district, occupations=["焊工", "钳工"],
                                     employer=make_org(parent=district), user=user))
    return experts
