import pytest

from gongjiang.payments.models import Budget, Entitlement, PaymentRun, SubsidyClaim

pytestmark = pytest.mark.django_db


def test_demo_seed_twice_changes_nothing(jurisdictions):
    from gongjiang.accounts import demo as accounts_demo
    from gongjiang.payments import demo
    from gongjiang.policy.services import load_policies

    accounts_demo.seed()
    load_policies()
    demo.seed()
    counts = [m.objects.count() for m in (Budget, SubsidyClaim, Entitlement, PaymentRun)]
    demo.seed()
    assert [m.objects.count() for m in (Budget, SubsidyClaim, Entitlement, PaymentRun)] == counts
    assert counts[1] == 2 and counts[2] == 1
    run = PaymentRun.objects.get()
    assert run.status == "prepared" and run.total_fen == 100000  # 仲恺 第六条（一）2: 技师 1,000 元
