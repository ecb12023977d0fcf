"""Logins, logouts and failed logins are audit entries; a mistyped user name is never stored."""
from django.test import Client, override_settings
from django.urls import reverse

from gongjiang.audit.models import AuditEntry

PASSWORD = "correct-horse-battery-9"


def test_login_and_logout_are_recorded_with_the_address(jurisdictions, make_user):
    user = make_user("bureau", jurisdictions["惠阳区"], username="logger", password=PASSWORD)
    c = Client(REMOTE_ADDR="10.1.2.3")
    c.post(reverse("web:login"), {"username": "logger", "password": PASSWORD})
    c.post(reverse("web:logout"))
    login = AuditEntry.objects.get(action="auth.login", object_id=str(user.pk))
    assert login.actor == user and login.after == {"ip": "10.1.2.3"} and login.organisation_name == "惠阳区"
    assert AuditEntry.objects.filter(action="auth.logout", object_id=str(user.pk)).exists()


def test_failed_login_is_recorded_for_the_account_in_its_organisation(jurisdictions, make_user):
    user = make_user("bureau", jurisdictions["惠阳区"], username="fumbler", password=PASSWORD)
    Client().post(reverse("web:login"), {"username": "fumbler", "password": "wrong-one"})
    entry = AuditEntry.objects.get(action="auth.login_failed", object_id=str(user.pk))
    assert entry.organisation_name == "惠阳区" and entry.actor is None and entry.actor_name == "未登录访问者"
    assert "wrong-one" not in str(entry.after) + entry.reason


def test_failed_login_with_unknown_user_name_does_not_store_what_was_typed(db):
    typed = "MyPasswordTypedIntoTheWrongField1"
    Client().post(reverse("web:login"), {"username": typed, "password": "x"})
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert typed not in " ".join([entry.object_repr, entry.object_id, entry.reason, str(entry.after)])


@override_settings(GONGJIANG_BEHIND_PROXY=True)
def test_behind_the_proxy_the_address_is_the_last_forwarded_hop(jurisdictions, make_user):
    user = make_user("auditor", jurisdictions["惠州市"], username="proxied", password=PASSWORD)
    c = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    c.post(reverse("web:login"), {"username": "proxied", "password": PASSWORD})
    assert AuditEntry.objects.get(action="auth.login", object_id=str(user.pk)).after == {"ip": "203.0.113.9"}
