"""Navigation entries. Each app registers its own in AppConfig.ready(); a user sees the entries
whose capability they hold."""
from dataclasses import dataclass

from django.urls import reverse

from gongjiang.accounts.permissions import check


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capability: str
    order: int = 100


_items: dict[str, NavItem] = {}


def register(label, url_name, capability, order=100):
    _items[url_name] = NavItem(label, url_name, capability, order)


def items_for(user):
    out = []
    for item in sorted(_items.values(), key=lambda i: (i.order, i.label)):
        if check(user, item.capability):
            out.append({"label": item.label, "url": reverse(item.url_name)})
    return out
