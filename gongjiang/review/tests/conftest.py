"""Factories for review tests: a round with a given stage list and recommended applications,
built on the real models (no mocks)."""
import pytest

from . import factories, policy_stages

# The stages of rounds opened on the policy files (惠阳: 资格初审 … 批准发证; 仲恺: 考察, 随机抽取的
#专家评审, 无记名投票认定, 公示, 表彰).
HUIYANG_STAGES = policy_stages.stages("huiyang-chief-technician")
ZHONGKAI_STAGES = policy_stages.stages("zhongkai-skilled-talent")


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
