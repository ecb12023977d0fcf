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
