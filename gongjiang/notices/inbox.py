"""Home-page to-dos: open objections with their investigation deadlines; notices ready for approval."""
from django.urls import reverse
from django.utils import timezone

from gongjiang.accounts.permissions import check
from gongjiang.accounts.scope import org_q
from gongjiang.web.inbox import Item, provider

from .models import Notice, Objection, ObjectionStatus
from .services import closed_among, is_overdue


@provider
def open_objections(user):
    if not check(user, "objection.handle"):
        return []
    today = timezone.localdate()
    items = []
    for o in Objection.objects.filter(org_q(user, "notice__organisation"), status=ObjectionStatus.OPEN) \
            .select_related("notice", "entry"):
        detail = "已逾期，请尽快办结" if is_overdue(o, today) else (
            "" if o.deadline else "期限待工作日历录入后计算")
        items.append(Item(title=f"异议 {o.receipt}：{o.notice.title} · {o.entry.name}",
                          url=reverse("notices:objection_detail", args=[o.pk]), due=o.deadline, detail=detail))
    return items


@provider
def notices_ready_for_approval(user):
    if not check(user, "notice.manage"):
        return []
    today = timezone.localdate()
    candidates = Notice.objects.filter(org_q(user, "organisation"), approval__isnull=True).only("title", "end_date")
    ready = closed_among(candidates.order_by("end_date", "pk"), today)
    items = [Item(title=f"公示期满，待记录批准：{n.title}", url=reverse("notices:manage_detail", args=[n.pk]))
             for n in ready[:LISTED]]
    if len(ready) > LISTED:
        items.append(Item(title=f"另有{len(ready) - LISTED}条公示期满，待记录批准", url=reverse("notices:manage"),
                          count=len(ready) - LISTED))
    return items


LISTED = 10  # notices named one by one on the home page; the rest are counted, listed on the manage page
