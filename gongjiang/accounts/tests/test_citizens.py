"""Citizens' accounts (issue 15 §2): sign-up with real name and resident ID matched to the registry,
reset by e-mail link, the counter reset audited, rate limits, and no account enumeration."""
import datetime as dt
import re

import pytest
from django.core import mail
from django.core.cache import cache

from gongjiang.accounts.models import User
from gongjiang.audit.models import AuditEntry
from gongjiang.core.idnumbers import make_resident_id

ID = make_resident_id("441303", dt.date(1985, 3, 9), 21, female=False)
PASSWORD = "lantern-river-4417"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _signup(client, **over):
    data = {"name": "黄志强", "id_number": ID, "phone": "13800138000", "email": "hzq@example.com",
            "password1": PASSWORD, "password2": PASSWORD, **over}
    return client.post("/accounts/signup/", data)


def test_signup_opens_an_applicant_account_who_logs_in_with_the_id_number(client, db):
    resp = _signup(client, id_number=ID.lower())
    assert resp.status_code == 200 and "注册已提交" in resp.content.decode()
    user = User.objects.get(username=ID)
    assert user.role == "applicant" and user.display_name == "黄志强" and user.check_password(PASSWORD)
    assert AuditEntry.objects.filter(action="user.signup", object_id=str(user.pk)).exists()
    resp = client.post("/login/", {"username": ID, "password": PASSWORD})
    assert resp.status_code == 302 and resp["Location"] == "/home/"


def test_signup_refuses_bad_id_missing_contact_and_weak_password_next_to_the_field(client, db):
    bad = make_resident_id("441303", dt.date(1985, 3, 9), 21, female=False)[:-1] + "0"
    body = _signup(client, id_number=bad if bad != ID else ID[:-1] + "1").content.decode()
    assert "身份证号码" in body and not User.objects.exists()
    body = _signup(client, phone="", email="").content.decode()
    assert "至少填写手机号码或电子邮箱" in body
    body = _signup(client, phone="12345").content.decode()
    assert "手机号码应为11位数字" in body
    body = _signup(client, password1="12345678", password2="12345678").content.decode()
    assert "密码" in body and not User.objects.exists()


def test_signup_links_the_registry_person_and_checks_the_name(client, jurisdictions):
    from gongjiang.registry.services import register_person

    person = register_person(name="黄志强", id_number=ID, jurisdiction=jurisdictions["惠阳区"])
    assert "姓名与人才库登记" in _signup(client, name="黄志刚").content.decode()
    _signup(client)
    person.refresh_from_db()
    assert person.account == User.objects.get(username=ID)


def test_second_signup_for_the_same_number_reads_the_same_and_changes_nothing(client, db):
    first = _signup(client).content.decode()
    user = User.objects.get(username=ID)
    second = _signup(client, name="黄志强", email="other@example.com", password1="another-pass-9981",
                     password2="another-pass-9981").content.decode()
    strip = lambda html: re.sub(r'(csrfmiddlewaretoken" value="|CSRFToken": ")[^"]+"', "", html)  # noqa: E731
    assert strip(first) == strip(second)
    user.refresh_from_db()
    assert user.check_password(PASSWORD) and user.email == "hzq@example.com" and User.objects.count() == 1


def test_signup_is_rate_limited_per_address(client, db):
    for n in range(10):
        _signup(client, id_number=make_resident_id("441303", dt.date(1985, 3, 9), 100 + n, female=False))
    body = _signup(client, id_number=make_resident_id("441303", dt.date(1986, 3, 9), 5, female=False)).content.decode()
    assert "操作过于频繁" in body and User.objects.count() == 10


def test_password_reset_by_email_link_without_enumeration(client, db):
    _signup(client)
    known = client.post("/accounts/password-reset/", {"email": "hzq@example.com"})
    unknown = client.post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["hzq@example.com"]
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "设置新密码" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "fresh-meadow-2290",
                                                     "new_password2": "fresh-meadow-2290"}, follow=True)
    assert "密码已重新设置" in done.content.decode()
    assert User.objects.get(username=ID).check_password("fresh-meadow-2290")
    assert "已失效" in client.get(link, follow=True).content.decode()


def test_bureau_officer_resets_a_citizens_password_at_the_counter_audited(client, jurisdictions, make_user):
    _signup(client, email="")
    officer = make_user("bureau", jurisdictions["惠阳区"])
    client.force_login(officer)
    resp = client.post("/accounts/assisted-reset/", {"id_number": ID, "reason": "本人持身份证到窗口办理"})
    body = resp.content.decode()
    temporary = re.search(r'<code class="secret">([^<]+)</code>', body).group(1)
    user = User.objects.get(username=ID)
    assert user.check_password(temporary) and user.password_change_required
    entry = AuditEntry.objects.get(action="user.reset_password", object_id=str(user.pk))
    assert entry.actor == officer and "本人持身份证到窗口办理" in entry.reason and temporary not in str(entry.after)
    assert "没有以该身份证号码注册" in client.post(
        "/accounts/assisted-reset/", {"id_number": make_resident_id("441303", dt.date(1990, 1, 1), 7, female=True),
                                      "reason": "核验"}).content.decode()


def test_counter_reset_is_for_applicant_accounts_only(client, jurisdictions, make_user):
    officer = make_user("bureau", jurisdictions["惠阳区"])
    make_user("employer", jurisdictions["惠阳区"], username=ID)
    client.force_login(officer)
    body = client.post("/accounts/assisted-reset/", {"id_number": ID, "reason": "核验"}).content.decode()
    assert "没有以该身份证号码注册的申报人账号" in body


def test_login_page_explains_signup_email_reset_and_counter_reset(client, db):
    body = client.get("/login/").content.decode()
    assert "/accounts/signup/" in body and "/accounts/password-reset/" in body and "窗口" in body
