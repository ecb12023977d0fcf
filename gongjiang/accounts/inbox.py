"""Home-page items of account administration: accounts locked out by failed logins."""
from django.urls import reverse

from gongjiang.web.inbox import Item, provider

from . import services
from .permissions import check


@provider
def locked_accounts(user):
    if not check(user, "user.manage"):
        return []
    locked = services.locked_usernames()
    if not locked:
        return []
    return [Item("因登录失败被锁定的账号", reverse("accounts:user_list") + "?status=locked", count=len(locked),
                 detail="锁定 30 分钟后自动解除；核实身份后可手动解除")]
