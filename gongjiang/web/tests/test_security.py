"""Security baseline, one test per item: hashing, lockout, CSRF, CSP and headers, session expiry,
logout by POST, production settings, Chinese error pages, no secrets in logs."""
import datetime as dt
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from gongjiang import settings as project_settings

PASSWORD = "correct-horse-battery-9"
PAGES = ["web:login", "web:landing"]


def _directives(header):
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def test_project_hashes_passwords_with_argon2_first():
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    names = [v["NAME"].rsplit(".", 1)[1] for v in project_settings.AUTH_PASSWORD_VALIDATORS]
    assert {"MinimumLengthValidator", "CommonPasswordValidator", "NumericPasswordValidator"} <= set(names)


@pytest.mark.parametrize("url_name", PAGES)
def test_csp_allows_no_inline_script_or_style(client, db, url_name):
    r = client.get(reverse(url_name))
    csp = _directives(r["Content-Security-Policy"])
    for directive in ["default-src", "script-src", "style-src"]:
        assert csp[directive] == ["'self'"], (directive, csp[directive])
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert "unsafe-inline" not in r["Content-Security-Policy"] and "unsafe-eval" not in r["Content-Security-Policy"]


def test_pages_carry_secure_headers(client, db):
    r = client.get(reverse("web:login"))
    assert r["X-Frame-Options"] == "DENY" and r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin" and r["Cross-Origin-Opener-Policy"] == "same-origin"


def test_templates_contain_no_inline_script_or_style(db):
    """CSP would block them in the browser; catch them before: no <script> without src, no style=."""
    import re
    from pathlib import Path

    offenders = []
    for path in Path(settings.BASE_DIR, "gongjiang").rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", text) or \
                re.search(r"\sstyle=\"", text) or re.search(r"\son[a-z]+=\"", text):
            offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert not offenders, ("inline script/style/event handler, blocked by the CSP in browsers; use a static JS "
                           f"file or a class of web/app.css (.inline, .pre-line, ...): {offenders}")


def test_api_docs_are_served_from_local_static_files(client, jurisdictions, make_user):
    assert client.get("/api/docs").status_code == 302  # login first, for the schema too
    assert client.get("/api/openapi.json").status_code == 302
    client.force_login(make_user("bureau", jurisdictions["惠阳区"]))
    r = client.get("/api/docs")
    body = r.content.decode()
    assert r.status_code == 200 and "/static/ninja/swagger-ui-bundle.js" in body
    assert "cdn" not in body.lower() and "https://" not in body
    assert "unsafe-inline" not in r["Content-Security-Policy"]
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_pages_of_logged_in_people_are_not_cached(client, jurisdictions, make_user):
    client.force_login(make_user("bureau", jurisdictions["惠阳区"]))
    r = client.get(reverse("accounts:org_list"))
    assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]
    assert "camera=()" in r["Permissions-Policy"]


def test_health_check_for_monitoring(client, db):
    r = client.get(reverse("web:health"))
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_sessions_expire_after_inactivity_and_at_browser_close(client, jurisdictions, make_user):
    assert settings.SESSION_COOKIE_AGE <= 2 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_REFRESH_SECONDS <= 60 and settings.SESSION_COOKIE_HTTPONLY
    make_user("bureau", jurisdictions["惠阳区"], username="sleeper", password=PASSWORD)
    client.post(reverse("web:login"), {"username": "sleeper", "password": PASSWORD})
    assert client.get(reverse("web:home")).status_code == 200
    session = client.session
    session.set_expiry(-1)  # what two idle hours do to the stored session
    session.save()
    r = client.get(reverse("web:home"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("web:login"))


def test_session_expiry_moves_on_once_a_minute_not_on_every_request(client, jurisdictions, make_user):
    """Activity keeps a session alive (its stored expiry moves on), but at most one write a minute."""
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_user("bureau", jurisdictions["惠阳区"]))
    client.get(reverse("web:home"))
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    first = Session.objects.get(pk=key).expire_date
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("web:home")).status_code == 200
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert Session.objects.get(pk=key).expire_date == first
    session = client.session
    session["_refreshed_at"] -= settings.SESSION_REFRESH_SECONDS  # a minute later
    session.save()
    saved = Session.objects.get(pk=key).expire_date
    Session.objects.filter(pk=key).update(expire_date=saved - dt.timedelta(minutes=1))
    client.get(reverse("web:home"))
    assert Session.objects.get(pk=key).expire_date > saved - dt.timedelta(minutes=1)


def test_logout_only_by_post_and_it_ends_the_session(client, jurisdictions, make_user):
    client.force_login(make_user("expert", jurisdictions["惠阳区"]))
    r = client.get(reverse("web:logout"))
    assert r.status_code == 405 and "请求方式不正确" in r.content.decode() and "POST" in r["Allow"]
    assert client.get(reverse("web:home")).status_code == 200
    assert client.post(reverse("web:logout")).status_code == 302
    assert client.get(reverse("web:home")).status_code == 302


def test_forms_and_login_refuse_posts_without_csrf_token(jurisdictions, make_user):
    make_user("bureau", jurisdictions["惠阳区"], username="csrf_target", password=PASSWORD)
    c = Client(enforce_csrf_checks=True)
    r = c.post(reverse("web:login"), {"username": "csrf_target", "password": PASSWORD})
    assert r.status_code == 403 and "表单已失效" in r.content.decode()
    c.force_login(make_user("sysadmin", jurisdictions["广东省"]))
    r = c.post(reverse("accounts:org_create"), {"name": "x", "kind": "department"})
    assert r.status_code == 403


def test_login_throttling_locks_after_five_failures_and_says_so_in_chinese(client, jurisdictions, make_user):
    make_user("bureau", jurisdictions["惠阳区"], username="brute", password=PASSWORD)
    statuses = [client.post(reverse("web:login"), {"username": "brute", "password": f"guess-{i}"}).status_code
                for i in range(6)]
    assert statuses[:4] == [200] * 4 and statuses[-1] == 429
    r = client.post(reverse("web:login"), {"username": "brute", "password": PASSWORD})
    assert r.status_code == 429 and "锁定" in r.content.decode()


def test_failed_logins_leave_no_password_in_logs_or_database(client, jurisdictions, make_user, caplog):
    from axes.models import AccessAttempt

    make_user("bureau", jurisdictions["惠阳区"], username="careful", password=PASSWORD)
    secret = "My-Secret-Guess-991"
    with caplog.at_level(logging.DEBUG):
        for _ in range(6):
            client.post(reverse("web:login"), {"username": "careful", "password": secret})
    assert secret not in caplog.text
    assert all(secret not in a.post_data for a in AccessAttempt.objects.all())


@pytest.mark.parametrize("status, path, text", [(404, "/no-such-page/", "页面不存在"),
                                                (404, "/accounts/organisations/999999/", "页面不存在"),
                                                (403, "/accounts/users/", "无权访问")])
def test_error_pages_are_chinese(client, jurisdictions, make_user, status, path, text):
    client.force_login(make_user("bureau", jurisdictions["惠阳区"]))
    r = client.get(path)
    assert r.status_code == status and text in r.content.decode() and "Traceback" not in r.content.decode()


def test_server_error_page_is_chinese_without_details(rf, db):
    from gongjiang.web.views import error_500

    request = rf.get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    r = error_500(request)
    assert r.status_code == 500 and "系统出现错误" in r.content.decode()


def _env(**extra):
    env = dict(os.environ, GONGJIANG_ENV="production", ALLOWED_HOSTS="gongjiang.example.gov.cn",
               SECRET_KEY="prod-secret-key-for-check-0123456789abcdefghijklmnopqrstuv",
               GONGJIANG_FIELD_KEY="k" * 44, GONGJIANG_HASH_KEY="h" * 32,
               GONGJIANG_AUDIT_KEY="a" * 40, **extra)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def test_production_refuses_to_start_without_its_secrets():
    env = _env()
    env.pop("SECRET_KEY")
    out = subprocess.run([sys.executable, "-m", "gongjiang", "check"], env=env, capture_output=True, text=True)
    assert out.returncode != 0 and "SECRET_KEY must be set" in out.stderr


def test_production_settings_turn_on_https_only_cookies_and_hsts():
    code = ("from django.conf import settings as s; import django; django.setup(); "
            "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
            "s.SECURE_HSTS_SECONDS >= 31536000)")
    out = subprocess.run([sys.executable, "-c", code], env=_env(DJANGO_SETTINGS_MODULE="gongjiang.settings"),
                         capture_output=True, text=True)
    assert out.stdout.split() == ["False", "True", "True", "True", "True"], out.stderr
