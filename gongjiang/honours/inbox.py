"""Home-page items: what a holder has been told (decisions with their article, reminders)."""
from django.urls import reverse

from gongjiang.web.inbox import Item, provider

from .models import HolderMessage


@provider
def holder_messages(user):
    if not getattr(user, "is_authenticated", False):
        return []
    count = HolderMessage.objects.filter(recipient=user, read_at__isnull=True).count()
    if not count:
        return []
    return [Item(title="称号管理通知", url=reverse("honours:mine"), count=count, detail="请查看称号的告知内容")]


@provider
def term_work(user):
    """Officers: renewals waiting for a conclusion, overdue duties. Holders and employers: their
    open renewal and duties falling due within 30 days or overdue."""
    import datetime as dt

    from django.utils import timezone

    from gongjiang.accounts.permissions import check

    from . import term
    from .models import RenewalReview
    from .services import visible_honours

    if not getattr(user, "is_authenticated", False):
        return []
    today = timezone.localdate()
    items = []
    if check(user, "honour.decide"):
        honours = visible_honours(user)
        filed = RenewalReview.objects.filter(honour__in=honours, status="filed").count()
        if filed:
            items.append(Item(title="待复核认定", url=reverse("honours:register"), count=filed,
                              detail="获得者已提交复核材料，请逐条认定"))
        late = term.overdue_duties(term.visible_duties(user)).count()
        if late:
            items.append(Item(title="逾期未办的期内职责", url=reverse("honours:duties") + "?overdue=1", count=late))
        return items
    mine = term.visible_duties(user) if check(user, "honour.view") else \
        term.DutyTask.objects.filter(honour__person__account=user, who="holder")
    soon = mine.filter(status="open", honour__status="active", due_on__lte=today + dt.timedelta(days=30))
    for task in soon.select_related("honour")[:20]:
        items.append(Item(title=f"期内职责：{task.honour.name} · {task.text[:30]}", url=reverse("honours:duty", args=[task.pk]),
                          due=task.due_on))
    for review in RenewalReview.objects.filter(honour__person__account=user, status="open"):
        items.append(Item(title=f"请提交{review.honour.title}复核认定材料", url=reverse("honours:renewal", args=[review.pk]),
                          due=review.due_on))
    return items
