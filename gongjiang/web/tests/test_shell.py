import pytest
from django.urls import reverse


def test_login_page_is_chinese_with_security_headers(client, db):
    r = client.get(reverse("web:login"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "登录" in body and "csrfmiddlewaretoken" in body
    assert "default-src 'self'" in r["Content-Security-Policy"]
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"


def test_login_then_home_lists_role(client, jurisdictions, make_user):
    make_user("bureau", jurisdictions["惠阳区"], username="officer", password="correct-horse-battery-9")
    r = client.post(reverse("web:login"), {"username": "officer", "password": "correct-horse-battery-9"})
    assert r.status_code == 302
    r = client.get(reverse("web:home"))
    assert "人社局经办人" in r.content.decode() and "惠阳区" in r.content.decode()


def test_lockout_after_five_failures(client, jurisdictions, make_user):
    make_user("bureau", jurisdictions["惠阳区"], username="target", password="correct-horse-battery-9")
    for _ in range(5):
        client.post(reverse("web:login"), {"username": "target", "password": "wrong"})
    r = client.post(reverse("web:login"), {"username": "target", "password": "correct-horse-battery-9"})
    assert r.status_code == 429
    assert "锁定" in r.content.decode()


def test_passwords_hashed_with_argon2(jurisdictions, make_user):
    user = make_user("auditor", jurisdictions["惠州市"])
    assert user.password.startswith("argon2")


def test_admin_only_for_sysadmin(client, jurisdictions, make_user):
    client.force_login(make_user("bureau", jurisdictions["惠阳区"]))
    assert client.get("/admin/").status_code == 302  # sent to admin login, not shown
    client.force_login(make_user("sysadmin", jurisdictions["广东省"]))
    assert client.get("/admin/").status_code == 200


def test_unknown_page_is_chinese_404(client, db):
    r = client.get("/no-such-page/")
    assert r.status_code == 404


def test_logout_requires_post(client, jurisdictions, make_user):
    client.force_login(make_user("bureau", jurisdictions["惠阳区"]))
    assert client.get(reverse("web:logout")).status_code == 405


@pytest.mark.parametrize("settings_env", ["production"])
def test_deploy_check_has_no_warnings(settings_env):
    import os
    import subprocess
    import sys

    env = dict(os.environ, GONGJIANG_ENV="production", SECRET_KEY="x" * 20 + "-prod-secret-key-for-check-0123456789abcdef",
               ALLOWED_HOSTS="gongjiang.example.gov.cn", GONGJIANG_FIELD_KEY="k" * 44, GONGJIANG_HASH_KEY="h" * 32,
               GONGJIANG_AUDIT_KEY="a" * 40)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    out = subprocess.run([sys.executable, "-m", "gongjiang", "check", "--deploy", "--fail-level", "WARNING"],
                         env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_admin_shows_accounts_and_audit_read_only(client, jurisdictions, make_user):
    """Changes go through the application's audited pages; the admin only looks things up."""
    admin_user = make_user("sysadmin", jurisdictions["广东省"])
    client.force_login(admin_user)
    for url in ["/admin/accounts/organisation/", "/admin/accounts/user/", "/admin/audit/auditentry/",
                f"/admin/accounts/user/{admin_user.pk}/change/"]:
        r = client.get(url)
        assert r.status_code == 200, url
        assert "argon2" not in r.content.decode()
    assert client.get("/admin/accounts/organisation/add/").status_code == 403
    r = client.post(f"/admin/accounts/user/{admin_user.pk}/change/", {"display_name": "改名"})
    assert r.status_code == 403


def test_public_header_links_calls_and_notices(client, db):
    body = client.get(reverse("web:login")).content.decode()
    assert reverse("rounds:public_calls") in body and reverse("notices:public_list") in body
    assert "申报通知" in body and "公示公告" in body
