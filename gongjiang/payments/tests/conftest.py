import datetime as dt

import pytest


@pytest.fixture
def pay_world(jurisdictions, make_user, make_org):
    """Policies loaded; two finance officers and a bureau officer at 惠阳区 and at 仲恺高新区."""
    from gongjiang.policy.models import Policy
    from gongjiang.policy.services import load_policies

    load_policies()
    w = {"j": jurisdictions, "policies": {p.code: p for p in Policy.objects.all()}}
    for key, name in (("hy", "惠阳区"), ("zk", "仲恺高新区")):
        org = jurisdictions[name]
        w[key] = {"org": org, "finance": make_user("finance", org), "finance2": make_user("finance", org),
                  "bureau": make_user("bureau", org), "employer": make_org(parent=org)}
    return w


_n = {"i": 0}


def make_person(district, name="张工", *, employer=None, account=True, actor=None, born=dt.date(1985, 3, 1)):
    from gongjiang.core.idnumbers import make_resident_id
    from gongjiang.payments.services import set_payee_account
    from gongjiang.registry.models import Employment
    from gongjiang.registry.services import register_person

    _n["i"] += 1
    person = register_person(name=name, jurisdiction=district,
                             id_number=make_resident_id(district.region_code or "441303", born, _n["i"], female=False))
    if employer is not None:
        Employment.objects.create(person=person, employer=employer, jurisdiction=district, start=dt.date(2010, 1, 1),
                                  post="钳工")
    if account:
        set_payee_account(person, kind="social_security_card", bank="中国工商银行惠阳支行",
                          number=f"62220{_n['i']:014d}", actor=actor)
    return person


def entitle(person, policy, honour, *, start, actor, key=None):
    from gongjiang.payments.services import create_entitlements

    return create_entitlements(person=person, policy=policy, honour_code=honour, source_key=key or f"test:{person.pk}",
                               start=start, actor=actor)
