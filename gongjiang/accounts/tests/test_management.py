"""Organisation and account management: pages, services, scope and the audit entries they write."""
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gongjiang.accounts import services
from gongjiang.accounts.models import Organisation, User
from gongjiang.audit.models import AuditEntry
from gongjiang.core.idnumbers import make_uscc

PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def admin_client(client, jurisdictions, make_user):
    admin = make_user("sysadmin", jurisdictions["广东省"], username="root_admin")
    client.force_login(admin)
    client.admin = admin
    return client


def _login(username, password):
    c = Client()
    r = c.post(reverse("web:login"), {"username": username, "password": password})
    return c, r


def test_org_create_with_valid_credit_code_is_audited(admin_client, jurisdictions):
    uscc = make_uscc("91441303MA4NEWC01")
    r = admin_client.post(reverse("accounts:org_create"), {
        "name": "惠阳新建精密有限公司", "kind": "enterprise", "parent": jurisdictions["惠阳区"].pk,
        "uscc": uscc.lower(), "region_code": "441303", "is_active": "on", "reason": "企业入库"})
    org = Organisation.objects.get(name="惠阳新建精密有限公司")
    assert r.status_code == 302 and org.uscc == uscc and org.parent == jurisdictions["惠阳区"]
    entry = AuditEntry.objects.get(action="org.create", object_id=str(org.pk))
    assert entry.actor == admin_client.admin and entry.reason == "企业入库"


def test_org_create_with_bad_check_character_shows_error_inline(admin_client, jurisdictions):
    r = admin_client.post(reverse("accounts:org_create"), {
        "name": "坏代码公司", "kind": "enterprise", "parent": jurisdictions["惠阳区"].pk,
        "uscc": "91350100M000100Y44", "is_active": "on"})
    assert r.status_code == 200 and "校验位不正确" in r.content.decode()
    assert not Organisation.objects.filter(name="坏代码公司").exists()


def test_org_edit_moving_an_organisation_rewrites_its_subtree(jurisdictions, make_org, make_user):
    admin = make_user("sysadmin", jurisdictions["广东省"])
    dept = make_org(name="测试部门", kind="department", parent=jurisdictions["惠城区"])
    firm = make_org(parent=dept)
    services.update_organisation(dept, actor=admin, reason="机构调整", parent=jurisdictions["惠阳区"])
    firm.refresh_from_db()
    assert firm.path.startswith(jurisdictions["惠阳区"].path) and firm.depth == jurisdictions["惠阳区"].depth + 2
    assert firm in jurisdictions["惠阳区"].subtree() and firm not in jurisdictions["惠城区"].subtree()
    entry = AuditEntry.objects.get(action="org.update", object_id=str(dept.pk))
    assert entry.before["parent_id"] == jurisdictions["惠城区"].pk and entry.after["parent_id"] == jurisdictions["惠阳区"].pk


def test_org_list_shows_only_the_officers_subtree(client, jurisdictions, make_org, make_user):
    inside = make_org(name="惠阳辖内企业", parent=jurisdictions["惠阳区"])
    outside = make_org(name="环翠辖内企业", parent=jurisdictions["环翠区"])
    client.force_login(make_user("bureau", jurisdictions["惠阳区"]))
    body = client.get(reverse("accounts:org_list")).content.decode()
    assert inside.name in body and inside.uscc in body and outside.name not in body
    assert client.get(reverse("accounts:org_detail", kwargs={"pk": outside.pk})).status_code == 404
    assert client.get(reverse("accounts:org_detail", kwargs={"pk": inside.pk})).status_code == 200


def test_org_search_by_name_and_credit_code(client, jurisdictions, make_org, make_user):
    firm = make_org(name="搜索目标科技有限公司", parent=jurisdictions["惠阳区"])
    other = make_org(name="其他公司", parent=jurisdictions["惠阳区"])
    client.force_login(make_user("auditor", jurisdictions["惠州市"]))
    body = client.get(reverse("accounts:org_list"), {"q": "搜索目标"}).content.decode()
    assert firm.name in body and other.name not in body
    body = client.get(reverse("accounts:org_list"), {"q": firm.uscc}).content.decode()
    assert firm.name in body and other.name not in body


def test_org_export_is_an_excel_file_of_the_scope(client, jurisdictions, make_org, make_user):
    make_org(name="=HYPERLINK(\"x\")公司", parent=jurisdictions["惠阳区"])
    make_org(name="赣州企业", parent=jurisdictions["章贡区"])
    client.force_login(make_user("recommender", jurisdictions["惠阳区"]))
    r = client.get(reverse("accounts:org_export"))
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(r.content)).active.values)
    names = [row[0] for row in rows[1:]]
    assert rows[0][0] == "名称" and "惠阳区" in names and "赣州企业" not in names
    assert "'=HYPERLINK(\"x\")公司" in names  # a formula is exported as text


def test_sysadmin_creates_officer_account_with_one_time_password(admin_client, jurisdictions):
    r = admin_client.post(reverse("accounts:user_create"), {
        "username": "huiyang_new", "display_name": "新经办人", "role": "bureau",
        "organisation": jurisdictions["惠阳区"].pk, "reason": "新入职"})
    assert r.status_code == 200
    user = User.objects.get(username="huiyang_new")
    password = r.context["password"]
    assert password in r.content.decode() and user.password_change_required and user.password.startswith("argon2")
    entry = AuditEntry.objects.get(action="user.create", object_id=str(user.pk))
    assert password not in str(entry.after) and entry.actor == admin_client.admin
    # First login goes to the password change page, and nothing else opens until it is done.
    c, r = _login("huiyang_new", password)
    assert c.get(reverse("web:home"))["Location"] == reverse("accounts:password_change")
    assert c.get("/api/accounts/me").status_code == 403
    r = c.post(reverse("accounts:password_change"), {
        "old_password": password, "new_password1": "Huiyang-officer-2026", "new_password2": "Huiyang-officer-2026"})
    assert r.status_code == 302 and c.get(reverse("web:home")).status_code == 200
    assert AuditEntry.objects.filter(action="user.change_password", object_id=str(user.pk)).exists()


def test_officer_account_needs_an_organisation(admin_client):
    r = admin_client.post(reverse("accounts:user_create"), {
        "username": "no_org", "display_name": "无组织", "role": "bureau", "reason": ""})
    assert r.status_code == 200 and "须选择所属组织" in r.content.decode()
    assert not User.objects.filter(username="no_org").exists()


def test_deactivation_needs_a_reason_and_ends_login(admin_client, jurisdictions, make_user):
    user = make_user("bureau", jurisdictions["惠阳区"], username="leaving", password=PASSWORD)
    officer_client, _ = _login("leaving", PASSWORD)
    assert officer_client.get(reverse("web:home")).status_code == 200
    url = reverse("accounts:user_deactivate", kwargs={"pk": user.pk})
    r = admin_client.post(url, {"reason": ""})
    assert r.status_code == 200 and User.objects.get(pk=user.pk).is_active
    r = admin_client.post(url, {"reason": "调离岗位"})
    assert r.status_code == 302 and not User.objects.get(pk=user.pk).is_active
    assert officer_client.get(reverse("web:home")).status_code == 302  # the open session no longer works
    assert _login("leaving", PASSWORD)[1].status_code != 302
    assert AuditEntry.objects.get(action="user.deactivate", object_id=str(user.pk)).reason == "调离岗位"


def test_sysadmin_cannot_deactivate_themselves(admin_client):
    r = admin_client.post(reverse("accounts:user_deactivate", kwargs={"pk": admin_client.admin.pk}),
                          {"reason": "误操作"})
    assert r.status_code == 400 and "不能停用自己" in r.content.decode()
    assert User.objects.get(pk=admin_client.admin.pk).is_active


def test_reset_password_ends_sessions_and_never_logs_the_password(admin_client, jurisdictions, make_user):
    user = make_user("finance", jurisdictions["惠阳区"], username="forgetful", password=PASSWORD)
    officer_client, _ = _login("forgetful", PASSWORD)
    r = admin_client.post(reverse("accounts:user_reset_password", kwargs={"pk": user.pk}), {"reason": "本人遗忘密码"})
    new_password = r.context["password"]
    assert new_password in r.content.decode()
    assert officer_client.get(reverse("web:home")).status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password) and user.password_change_required
    entry = AuditEntry.objects.get(action="user.reset_password", object_id=str(user.pk))
    assert new_password not in str(entry.after) + entry.reason and "argon2" not in str(entry.after)


def test_unlock_lifts_a_login_lockout(admin_client, jurisdictions, make_user):
    user = make_user("employer", jurisdictions["惠阳区"], username="locked_out", password=PASSWORD)
    for _ in range(5):
        _login("locked_out", "wrong-password")
    assert services.is_locked(user)
    assert _login("locked_out", PASSWORD)[1].status_code == 429
    body = admin_client.get(reverse("accounts:user_list"), {"status": "locked"}).content.decode()
    assert "locked_out" in body and "已锁定" in body
    r = admin_client.post(reverse("accounts:user_unlock", kwargs={"pk": user.pk}), {"reason": "电话核实本人"})
    assert r.status_code == 302 and not services.is_locked(user)
    assert _login("locked_out", PASSWORD)[1].status_code == 302
    assert AuditEntry.objects.get(action="user.unlock", object_id=str(user.pk)).reason == "电话核实本人"


def test_password_change_applies_the_validators(client, jurisdictions, make_user):
    make_user("expert", jurisdictions["惠阳区"], username="expert_pw", password=PASSWORD)
    c, _ = _login("expert_pw", PASSWORD)
    r = c.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "12345678901", "new_password2": "12345678901"})
    assert r.status_code == 200 and "error" in r.content.decode()
    r = c.post(reverse("accounts:password_change"), {
        "old_password": "not-it", "new_password1": "Expert-review-2026", "new_password2": "Expert-review-2026"})
    assert r.status_code == 200
    assert User.objects.get(username="expert_pw").check_password(PASSWORD)


def test_createadmin_creates_an_audited_sysadmin(jurisdictions, monkeypatch):
    monkeypatch.setenv("FIRST_ADMIN_PW", "Bureau-admin-first-2026")
    call_command("createadmin", "--username", "it_admin", "--organisation", "惠州市", "--password-env", "FIRST_ADMIN_PW")
    user = User.objects.get(username="it_admin")
    assert user.role == "sysadmin" and user.organisation == jurisdictions["惠州市"] and user.is_superuser
    assert AuditEntry.objects.filter(action="user.create", object_id=str(user.pk)).exists()
    monkeypatch.setenv("FIRST_ADMIN_PW", "short")
    with pytest.raises(CommandError):
        call_command("createadmin", "--username", "it_admin2", "--organisation", "惠州市", "--password-env", "FIRST_ADMIN_PW")
    with pytest.raises(CommandError, match="not found"):
        call_command("createadmin", "--username", "x", "--organisation", "火星市", "--password-env", "FIRST_ADMIN_PW")


def test_api_organisations_are_scoped(client, jurisdictions, make_org, make_user):
    inside = make_org(parent=jurisdictions["东昌府区"])
    outside = make_org(parent=jurisdictions["临清市"])
    client.force_login(make_user("recommender", jurisdictions["东昌府区"]))
    ids = {o["id"] for o in client.get("/api/accounts/organisations?limit=500").json()["items"]}
    assert inside.pk in ids and outside.pk not in ids
    assert client.get(f"/api/accounts/organisations/{outside.pk}").status_code == 404
    me = client.get("/api/accounts/me").json()
    assert me["role"] == "recommender" and "org.view" in me["capabilities"] and "user.manage" not in me["capabilities"]


@pytest.mark.parametrize("query", [
    "page=abc", "page=-1", "page=99999", "kind=bogus", "q=" + "长" * 500, "q=%00", "organisation=abc",
    "status=nonsense", "role=<script>",
])
def test_list_pages_never_fail_on_malformed_query(admin_client, query):
    for name in ["accounts:org_list", "accounts:user_list", "accounts:org_export", "accounts:user_export"]:
        r = admin_client.get(reverse(name) + "?" + query)
        assert r.status_code == (400 if "%00" in query else 200), (name, query, r.status_code)  # NUL: refused
        assert b"<script>" not in r.content


def test_unlocking_an_account_that_is_not_locked_changes_nothing(admin_client, jurisdictions, make_user):
    user = make_user("bureau", jurisdictions["惠阳区"])
    r = admin_client.post(reverse("accounts:user_unlock", kwargs={"pk": user.pk}), {"reason": "核实"})
    assert r.status_code == 302
    assert not AuditEntry.objects.filter(action="user.unlock", object_id=str(user.pk)).exists()


def test_sysadmin_cannot_change_their_own_role(admin_client, jurisdictions):
    admin = admin_client.admin
    r = admin_client.post(reverse("accounts:user_edit", kwargs={"pk": admin.pk}), {
        "username": admin.username, "display_name": "管理员", "role": "bureau",
        "organisation": jurisdictions["广东省"].pk, "reason": "误操作"})
    assert r.status_code == 400 and "不能修改自己的角色" in r.content.decode()
    assert User.objects.get(pk=admin.pk).role == "sysadmin"


def test_role_change_is_audited_with_before_and_after(admin_client, jurisdictions, make_user):
    user = make_user("bureau", jurisdictions["惠阳区"])
    r = admin_client.post(reverse("accounts:user_edit", kwargs={"pk": user.pk}), {
        "display_name": "改任审计", "role": "auditor", "organisation": jurisdictions["惠州市"].pk, "reason": "岗位调整"})
    assert r.status_code == 302
    entry = AuditEntry.objects.get(action="user.update", object_id=str(user.pk))
    assert entry.before["role"] == "bureau" and entry.after["role"] == "auditor" and entry.reason == "岗位调整"
    assert entry.after["organisation_id"] == jurisdictions["惠州市"].pk
