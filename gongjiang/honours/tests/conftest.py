"""Fixtures for the honours tests: a bureau officer of the policy's jurisdiction and a round of a
seed policy. Dates come from the project-wide `clock` fixture (Monday 2026-11-23)."""
import pytest

DISTRICT = {"huancui-chief-technician": "环翠区", "huiyang-chief-technician": "惠阳区",
            "ganzhou-craftsman": "赣州市", "liaocheng-2019-chief-technician": "聊城市",
            "zhongkai-skilled-talent": "仲恺高新区"}


class Programme:
    def __init__(self, policy_code, *, jurisdictions, make_user, make_org):
        from gongjiang.rounds.tests.factories import open_round

        self.district = jurisdictions[DISTRICT[policy_code]]
        self.bureau = make_user("bureau", self.district, password=None)
        self.employer = make_org(parent=self.district, name=f"{self.district.name}精密制造有限公司")
        self.round = open_round(policy_code=policy_code, organiser=self.district, actor=self.bureau,
                                code=f"h-{policy_code}")

    def award(self, names, *, decided_on, number="测人社字〔2026〕1号", accounts=None):
        from .factories import approve_candidates

        return approve_candidates(self.round, names, actor=self.bureau, district=self.district, decided_on=decided_on,
                                  employer=self.employer, number=number, accounts=accounts)


@pytest.fixture
def programme(jurisdictions, make_user, make_org, clock):
    return lambda code: Programme(code, jurisdictions=jurisdictions, make_user=make_user, make_org=make_org)
