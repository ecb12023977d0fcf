"""Factories for review tests: a round with a given stage list and recommended applications,
built on the real models (no mocks)."""
import pytest

from . import factories

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
    district = jurisdictions["惠阳区"]
    bureau = make_user("bureau", district, password=None)
    policy = factories.make_policy(district)

    def make_round(stages, quota=10, year=2026):
        return factories.make_round(policy, district, stages, quota=quota, year=year)

    def make_app(rnd, *, employer=None, **kw):
        return factories.make_application(rnd, district, employer or make_org(parent=district), **kw)

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
