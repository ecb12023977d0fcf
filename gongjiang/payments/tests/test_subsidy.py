"""仲恺 第六条（一）2: 培训和鉴定费用补贴 — 500 / 1,000 / 1,500 元 by level, once per person and level."""
import datetime as dt

import pytest

from gongjiang.audit.models import AuditEntry
from gongjiang.core.errors import DomainError
from gongjiang.payments import services
from gongjiang.payments.models import Entitlement, SubsidyClaim
from gongjiang.registry.models import Certificate

from .conftest import make_person

pytestmark = pytest.mark.django_db


def cert(person, level, issued=dt.date(2015, 6, 1)):
    return Certificate.objects.create(person=person, occupation="钳工", level=level, kind="qualification",
                                      issued_on=issued, number=f"C{person.pk}{level}")


@pytest.fixture
def worker(pay_world, make_org):
    w = pay_world
    zk = w["j"]["仲恺高新区"]
    employer = make_org(parent=zk)
    person = make_person(zk, "王技师", employer=employer, actor=w["zk"]["finance"])
    return w, person


def test_subsidy_items_from_policy(pay_world):
    items = services.subsidy_items(pay_world["policies"]["zhongkai-skilled-talent"])
    assert [(code, level, b.amount_fen[0].value) for code, _, level, b in items] == [
        ("subsidy-senior-worker", 3, 50000), ("subsidy-technician", 4, 100000),
        ("subsidy-senior-technician", 5, 150000)]


def test_subsidy_bureau_entry_approve_pay_once(worker):
    """Entered by the bureau from the registry, approved, paid by the same run, once per level."""
    w, person = worker
    policy = w["policies"]["zhongkai-skilled-talent"]
    c = cert(person, 4)
    claim = services.submit_subsidy(person=person, policy=policy, honour_code="subsidy-technician", certificate=c,
                                    training="2015年惠州市技师培训考核", actor=w["zk"]["bureau"], route="bureau")
    assert (claim.amount_fen, claim.article) == (100000, "第六条（一）2")
    with pytest.raises(DomainError) as e:
        services.submit_subsidy(person=person, policy=policy, honour_code="subsidy-technician", certificate=c,
                                training="再次", actor=w["zk"]["bureau"], route="bureau")
    assert "每人每个等级只能享受一次" in e.value.message
    checks = services.subsidy_check(claim)
    assert ("第六条（一）2", "劳动者个人参加区、市组织的培训考核取得证书", "需人工认定") in checks
    assert not [r for r in checks if r[2] == "不符合"], checks
    services.decide_subsidy(claim, approve=True, actor=w["zk"]["bureau"], reason="培训考核记录核实")
    [ent] = Entitlement.objects.filter(source_key=f"subsidy:{claim.pk}")
    assert (ent.amount_fen, ent.schedule, ent.article) == (100000, "one_time", "第六条（一）2")
    with pytest.raises(DomainError):
        services.decide_subsidy(claim, approve=False, actor=w["zk"]["bureau"], reason="x")
    run = services.compute_run(organisation=w["zk"]["org"], period_kind="month", year=ent.first_due.year,
                               month=ent.first_due.month, actor=w["zk"]["finance"])
    assert run.lines.get().amount_fen == 100000
    assert AuditEntry.objects.filter(action="payments.subsidy.decide", object_id=str(claim.pk)).exists()


def test_subsidy_other_level_allowed_rejected_may_reapply(worker):
    w, person = worker
    policy = w["policies"]["zhongkai-skilled-talent"]
    c3, c5 = cert(person, 3), cert(person, 5, dt.date(2016, 1, 4))
    first = services.submit_subsidy(person=person, policy=policy, honour_code="subsidy-senior-worker", certificate=c3,
                                    training="区培训", actor=w["zk"]["bureau"], route="bureau")
    assert first.amount_fen == 50000
    top = services.submit_subsidy(person=person, policy=policy, honour_code="subsidy-senior-technician",
                                  certificate=c5, training="市培训", actor=w["zk"]["bureau"], route="bureau")
    assert top.amount_fen == 150000
    with pytest.raises(DomainError):
        services.decide_subsidy(top, approve=False, actor=w["zk"]["bureau"], reason="")
    services.decide_subsidy(top, approve=False, actor=w["zk"]["bureau"], reason="未参加区、市组织的培训考核")
    again = services.submit_subsidy(person=person, policy=policy, honour_code="subsidy-senior-technician",
                                    certificate=c5, training="市培训（补充材料）", actor=w["zk"]["bureau"], route="bureau")
    assert again.status == SubsidyClaim.Status.SUBMITTED


def test_subsidy_wrong_level_or_date_refused(worker):
    w, person = worker
    policy = w["policies"]["zhongkai-skilled-talent"]
    with pytest.raises(DomainError) as e:
        services.submit_subsidy(person=person, policy=policy, honour_code="subsidy-technician",
                                certificate=cert(person, 3), training="区培训", actor=w["zk"]["bureau"], route="bureau")
    assert "须凭技师（二级）证书申请" in e.value.message
    with pytest.raises(DomainError) as e:
        services.submit_subsidy(person=person, policy=policy, honour_code="subsidy-technician",
                                certificate=cert(person, 4, dt.date(2020, 5, 1)), training="区培训",
                                actor=w["zk"]["bureau"], route="bureau")
    assert "不在第六条（一）2补贴的适用期间内" in e.value.message


def test_subsidy_not_employed_in_district_cannot_be_approved(pay_world):
    """被本区企业录用: without a district enterprise the engine finds the condition failing."""
    w = pay_world
    person = make_person(w["j"]["仲恺高新区"], "赵工", actor=w["zk"]["finance"])
    claim = services.submit_subsidy(person=person, policy=w["policies"]["zhongkai-skilled-talent"],
                                    honour_code="subsidy-technician", certificate=cert(person, 4), training="区培训",
                                    actor=w["zk"]["bureau"], route="bureau")
    with pytest.raises(DomainError) as e:
        services.decide_subsidy(claim, approve=True, actor=w["zk"]["bureau"])
    assert "不符合" in e.value.message and "第六条（一）2" in e.value.message
