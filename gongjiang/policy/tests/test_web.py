"""Policy pages: list and detail for holders of policy.view, 403 for others."""
import pytest
from django.urls import reverse

from gongjiang.policy.services import load_policies


@pytest.fixture
def loaded(jurisdictions):
    load_policies()
    return jurisdictions


@pytest.mark.django_db
def test_policy_list_shows_loaded_policies_to_bureau(client, make_user, loaded):
    client.force_login(make_user("bureau", loaded["惠阳区"]))
    page = client.get(reverse("policy:list")).content.decode()
    assert "惠阳区区管首席技师" in page and "赣州工匠" in page


@pytest.mark.django_db
def test_policy_detail_renders_conditions_with_articles(client, make_user, loaded):
    client.force_login(make_user("bureau", loaded["惠阳区"]))
    page = client.get(reverse("policy:detail", args=["zhongkai-skilled-talent"])).content.decode()
    assert "优秀技师" in page and "第五条（一）2（2）" in page and "无记名投票" in page and "1,500元" in page


@pytest.mark.django_db
def test_policy_detail_unknown_code_is_404(client, make_user, loaded):
    client.force_login(make_user("bureau", loaded["惠阳区"]))
    assert client.get(reverse("policy:detail", args=["nope"])).status_code == 404


@pytest.mark.django_db
def test_policy_list_forbidden_for_applicant(client, make_user, loaded):
    client.force_login(make_user("applicant"))
    assert client.get(reverse("policy:list")).status_code == 403
