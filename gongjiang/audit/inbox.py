"""Home-page items of the audit log: a broken chain, or a chain not verified for a day."""
import datetime as dt

from django.urls import reverse
from django.utils import timezone

from gongjiang.accounts.permissions import check
from gongjiang.web.inbox import Item, provider

from .models import ChainCheck

CHECK_INTERVAL = dt.timedelta(hours=24)


@provider
def chain_status(user):
    if not check(user, "audit.view"):
        return []
    last = ChainCheck.objects.first()
    url = reverse("audit:entry_list")
    if last is not None and not last.ok:
        return [Item("审计日志链已断开", url, detail=last.problem)]
    if last is None or last.checked_at < timezone.now() - CHECK_INTERVAL:
        return [Item("审计日志链超过 24 小时未校验", url, detail="请在日志页面点击“立即校验全链”，或检查定时任务")]
    return []
