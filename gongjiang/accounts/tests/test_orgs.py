import pytest
from django.core.exceptions import ValidationError

from gongjiang.accounts import scope
from gongjiang.accounts.models import Organisation
from gongjiang.accounts.services import create_organisation, seed_jurisdictions
from gongjiang.audit.models import AuditEntry


def test_seed_jurisdictions_has_seed_document_places_and_is_idempotent(jurisdictions):
    for name in ["惠州市", "惠阳区", "仲恺高新区", "赣州市", "章贡区", "瑞金市", "聊城市", "东昌府区", "临清市",
                 "茌平区", "阳谷县", "莘县", "东阿县", "冠县", "高唐县", "聊城经济技术开发区", "威海市", "环翠区"]:
        assert name in jurisdictions, name
    count = Organisation.objects.count()
    assert seed_jurisdictions() == 0
    assert Organisation.objects.count() == count
    assert jurisdictions["环翠区"].parent == jurisdictions["威海市"]


def test_subtree_is_prefix_of_path(jurisdictions, make_org):
    firm = make_org(parent=jurisdictions["惠阳区"])
    city = jurisdictions["惠州市"]
    assert firm in city.subtree()
    assert firm not in jurisdictions["赣州市"].subtree()
    assert firm.jurisdiction() == jurisdictions["惠阳区"]


def test_enterprise_needs_valid_credit_code(jurisdictions):
    with pytest.raises(ValidationError) as e:
        create_organisation(name="坏代码公司", kind="enterprise", parent=jurisdictions["惠阳区"],
                            uscc="91350100M000100Y44")
    assert "校验位" in str(e.value)
    with pytest.raises(ValidationError):
        create_organisation(name="无代码公司", kind="enterprise", parent=jurisdictions["惠阳区"])


def test_creating_an_organisation_is_audited(jurisdictions, make_org):
    firm = make_org(parent=jurisdictions["环翠区"])
    assert AuditEntry.objects.filter(action="org.create", object_id=str(firm.pk)).exists()


def test_officer_scope_is_own_subtree(jurisdictions, make_org, make_user):
    firm_in = make_org(parent=jurisdictions["东昌府区"])
    firm_out = make_org(parent=jurisdictions["临清市"])
    officer = make_user("recommender", jurisdictions["东昌府区"])
    visible = set(scope.visible_organisations(officer))
    assert firm_in in visible and firm_out not in visible
    assert scope.in_scope(officer, firm_in) and not scope.in_scope(officer, firm_out)
    applicant = make_user("applicant")
    assert not scope.visible_organisations(applicant).exists()
