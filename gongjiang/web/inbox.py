""""What awaits me": each app registers providers; the home page shows three lists.

- 待办 (`provider`): user -> [Item(title, url, count, due, detail)]: what the user should act on, most urgent
  first (overdue, then the nearest due date, then undated). An item leaves the list when the work is done.
- 消息 (`message_provider`): user -> [Message(title, url, at, unread, detail)]: notifications keep their time
  and stay readable after they are opened (unread ones are marked), newest first.
- 已办: what the user did lately, read from the audit log (every state change is an entry).
"""
import datetime as dt
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

_providers = []
_message_providers = []

MESSAGE_DAYS = 90
DONE_LIMIT = 15
# Audit actions that are not work done (reading, logging in).
NOT_WORK = ("auth.", "matrix.", "test.")
NOT_WORK_SUFFIX = (".view", ".view_full_id", ".attachment.view")
# Where the object of a done item is shown: object type -> (url name, kwarg), for pages whoever acted on the
# object may open (a registry person an employer registered may be outside its view later: not linked).
OBJECT_PAGES = {
    "applications.application": ("applications:detail", "pk"),
    "rounds.round": ("rounds:detail", "pk"),
    "notices.notice": ("notices:manage_detail", "pk"),
    "notices.objection": ("notices:objection_detail", "pk"),
    "review.panel": ("review:panel", "panel_id"),
    "accounts.user": ("accounts:user_edit", "pk"),
    "accounts.organisation": ("accounts:org_detail", "pk"),
}


@dataclass(frozen=True)
class Item:
    title: str
    url: str
    count: int = 1
    due: dt.date | None = None
    detail: str = ""

    @property
    def days_left(self):
        return (self.due - timezone.localdate()).days if self.due else None

    @property
    def overdue(self):
        return self.due is not None and self.due < timezone.localdate()


@dataclass(frozen=True)
class Message:
    title: str
    url: str
    at: dt.datetime
    unread: bool = False
    detail: str = ""


@dataclass(frozen=True)
class Done:
    title: str
    what: str
    at: dt.datetime
    url: str = ""


def provider(fn):
    _providers.append(fn)
    return fn


def message_provider(fn):
    _message_providers.append(fn)
    return fn


def items_for(user):
    items = []
    for fn in _providers:
        items.extend(fn(user) or [])
    return sorted(items, key=lambda i: (i.due is None, i.due or dt.date.max, i.title))


def messages_for(user):
    since = timezone.now() - dt.timedelta(days=MESSAGE_DAYS)
    found = [m for fn in _message_providers for m in (fn(user, since) or [])]
    return sorted(found, key=lambda m: m.at, reverse=True)


def done_for(user, limit=DONE_LIMIT):
    from django.db.models import Q

    from gongjiang.audit.labels import action_label, object_label
    from gongjiang.audit.models import AuditEntry

    not_work = Q()
    for prefix in NOT_WORK:
        not_work |= Q(action__startswith=prefix)
    for suffix in NOT_WORK_SUFFIX:
        not_work |= Q(action__endswith=suffix)
    entries = AuditEntry.objects.filter(actor=user).exclude(not_work).order_by("-created_at")[:limit]
    return [Done(action_label(e.action), object_label(e), e.created_at, _object_url(e)) for e in entries]


def _object_url(entry) -> str:
    page = OBJECT_PAGES.get(entry.object_type)
    if not page or not str(entry.object_id).isdigit():
        return ""
    try:
        return reverse(page[0], kwargs={page[1]: int(entry.object_id)})
    except NoReverseMatch:
        return ""
