"""Logins, logouts and failed logins go into the audit log too (a login log auditors can filter).

A failed login names the account only when the user name exists: what someone typed into the
user-name field may be a password, and is never written anywhere.
"""
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from gongjiang.accounts.network import client_ip

from .services import record

ANONYMOUS = "未登录访问者"


def _ip(request):
    return client_ip(request) if request is not None else ""


@receiver(user_logged_in, dispatch_uid="gongjiang_audit_login")
def login(sender, request, user, **kwargs):
    record("auth.login", actor=user, obj=user, after={"ip": _ip(request)})


@receiver(user_logged_out, dispatch_uid="gongjiang_audit_logout")
def logout(sender, request, user, **kwargs):
    if user is not None and user.is_authenticated:
        record("auth.logout", actor=user, obj=user, after={"ip": _ip(request)})


@receiver(user_login_failed, dispatch_uid="gongjiang_audit_login_failed")
def login_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username", ""))[:150]
    user = get_user_model().objects.filter(username=username).select_related("organisation").first()
    if user is not None:
        record("auth.login_failed", obj=user, organisation=user.organisation, after={"ip": _ip(request)},
               actor_name=ANONYMOUS, reason="密码错误或账号已锁定/停用")
    else:
        record("auth.login_failed", object_type="accounts.user", object_repr="（不存在的用户名）",
               after={"ip": _ip(request)}, actor_name=ANONYMOUS, reason="用户名不存在")
